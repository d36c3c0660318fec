// A debug session of Debian's debugpy adapter (python3 -m debugpy.adapter), driven over DAP as VS Code
// drives it, through the extension's debug tracing (configuration provider and adapter tracker, the
// VS Code API injected) and the real agent: the Python debuggee is held at entry, traced from its
// first line, its child followed, the step over a line that opens a file shows that open at its
// line, and the session ends, recorded, with the debug session.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCAL_AGENT } from '../../extension/src/agent/agentId';
import { AgentManager } from '../../extension/src/agent/agentManager';
import { spawnAgent } from '../../extension/src/agent/agentProcess';
import { DebugTracing, TRACE_KEY, type DebugSessionLike } from '../../extension/src/debug/debugTracing';
import type { LaunchConfig } from '../../extension/src/debug/launchHold';
import { SessionManager } from '../../extension/src/session/sessionManager';
import { systemClock } from '../../extension/src/util/clock';
import type { ExecEvent, LensEvent, OpenEvent } from '../../remote-agent/src/protocol';
import { requireBpf } from '../helpers/bpf';
import { DapClient } from '../helpers/dap';
import { scratchDir } from '../helpers/fixtures';
import { CLI_ENTRY, FIXTURES, REPO_ROOT } from '../helpers/paths';
import { waitFor } from '../helpers/procs';

const PYTHON = '/usr/bin/python3';
const PROGRAM = path.join(FIXTURES, 'python', 'debuggee.py');

describe('debugging with debugpy, traced (real adapter, real agent)', function () {
  let dir: string;
  let sessions: SessionManager;
  let agents: AgentManager;
  let tracing: DebugTracing;
  let dap: DapClient | undefined;
  const warnings: string[] = [];

  before(function () {
    requireBpf(this);
    if (!fs.existsSync(path.join(REPO_ROOT, 'remote-agent', 'dist', 'runtime-lens.js'))) {
      throw new Error('remote-agent/dist/runtime-lens.js is missing: run `node scripts/build.mjs` first (npm test does).');
    }
  });

  beforeEach(() => {
    dir = scratchDir('debugpy');
    sessions = new SessionManager({ clock: systemClock, log: () => undefined, settings: () => ({ sessionsDirectory: dir, maxEventsInMemory: 10000, events: ['exec', 'file'], redact: true }) });
    agents = new AgentManager({
      id: LOCAL_AGENT,
      ui: { showErrorMessage: async (m) => void warnings.push(m) },
      resolveCommand: () => ({ command: process.execPath, args: [CLI_ENTRY, 'agent', '--stdio'], env: {}, agentPath: CLI_ENTRY }),
      spawn: (cmd) => spawnAgent(cmd, REPO_ROOT, () => undefined),
      clientName: 'debug-test', clientVersion: '0', log: () => undefined,
      onClient: (c) => sessions.bindAgent(c),
      onProblem: (p) => assert.fail(`the agent reports a problem: ${p.message}`),
      restart: () => undefined,
    });
    tracing = new DebugTracing({
      client: () => agents.get(),
      sessions,
      setting: () => 'off',
      hostEnv: process.env,
      ui: {
        ask: async () => assert.fail('the attribute decides; nothing is asked'),
        warn: (m) => warnings.push(m),
        refused: (e) => warnings.push(String(e)),
        offerAttach: (m) => warnings.push(m),
      },
      now: () => Date.now(),
      later: () => () => undefined,
      log: () => undefined,
    });
  });

  afterEach(async () => {
    dap?.kill();
    dap = undefined;
    tracing.dispose();
    await agents.shutdown();
    sessions.dispose();
  });

  it('traces the debuggee from its first line, its child, and the open of the line stepped over', async function () {
    const work = path.join(dir, 'work');
    fs.mkdirSync(work);
    const config = await tracing.resolve({
      type: 'debugpy', request: 'launch', name: 'Debug debuggee.py', program: PROGRAM, args: [work], python: PYTHON,
      console: 'internalConsole', justMyCode: true, runtimeLens: true, env: { PYTHONPATH: '/opt/user-path' },
    }) as LaunchConfig;
    // the interpreter runs behind the hold; the launcher keeps the real one; the user's PYTHONPATH stays
    assert.match((config.python as string[])[0], /hold-[0-9a-f]+\.pl$/);
    assert.equal(config.debugLauncherPython, PYTHON);
    const env = config.env as Record<string, string>;
    assert.equal(env.RUNTIME_LENS_HOLD_EXEC, PYTHON);
    assert.match(env.PYTHONPATH, /runtime-lens-python-.*:\/opt\/user-path$/);

    dap = new DapClient(PYTHON, ['-m', 'debugpy.adapter']);
    const debugSession: DebugSessionLike = { id: 'd1', name: config.name, type: config.type, configuration: config };
    dap.tracker = tracing.tracker(debugSession);
    assert.ok(dap.tracker, 'a traced configuration gets a tracker');
    await dap.request('initialize', { clientID: 'vscode', adapterID: 'debugpy', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, supportsRunInTerminalRequest: false });
    const { [TRACE_KEY]: _key, runtimeLens: _attr, ...launchArgs } = config;
    const launched = dap.request('launch', launchArgs, 120_000);
    await dap.event('initialized', 1, 120_000);
    await dap.request('setBreakpoints', { source: { path: PROGRAM }, breakpoints: [{ line: 4 }] });
    await dap.request('configurationDone');
    await launched;
    const stop = await dap.event('stopped', 1, 120_000);
    assert.equal(stop.body?.reason, 'breakpoint');

    const trace = tracing.activeTrace!;
    const session = tracing.sessionOf(trace)!;
    assert.ok(session, 'a Runtime Lens session runs for the debug session');
    assert.equal(session.title, 'Debug debuggee.py');
    assert.deepEqual(session.target, { kind: 'debug', pid: session.targetPid, name: 'Debug debuggee.py', debugType: 'debugpy' });
    const events = () => session.window.toArray() as LensEvent[];
    const opens = (name: string) => events().filter((e): e is OpenEvent => e.kind === 'open' && e.path === `${work}/${name}`);

    // the first line's open, with its Python line: traced from the first line
    const [first] = await waitFor('the open of the first line', () => opens('first-line').length ? opens('first-line') : undefined, 30_000);
    assert.deepEqual([first.source?.file, first.source?.line], [PROGRAM, 1]);
    // the debuggee itself was followed from its exec: the held wrapper became the interpreter
    assert.ok(events().some((e) => e.kind === 'exec' && e.pid === session.targetPid && (e as ExecEvent).filename === PYTHON), 'the exec of the held debuggee');
    // its child
    const child = await waitFor('the child exec', () => events().find((e): e is ExecEvent => e.kind === 'exec' && (e as ExecEvent).argv.includes('debuggee-child')), 30_000);
    assert.deepEqual([child.source?.file, child.source?.line], [PROGRAM, 3]);
    assert.equal(opens('stepped-over').length, 0, 'line 4 has not run yet');
    assert.equal(trace.isPaused, true);
    assert.equal(trace.currentStep?.reason, 'breakpoint');

    // step over line 4: the open shows, at line 4, in step 2
    const threadId = stop.body?.threadId as number;
    await dap.request('next', { threadId });
    await dap.event('stopped', 2, 60_000);
    const [stepped] = await waitFor('the open of the line stepped over', () => opens('stepped-over').length ? opens('stepped-over') : undefined, 30_000);
    assert.equal(stepped.source?.line, 4);
    const step = trace.currentStep!;
    assert.equal(step.index, 2);
    assert.ok(stepped.ts >= step.from, 'the open belongs to the step');
    assert.ok(first.ts < step.from, 'the first line belongs to step 1');

    // the end of the debuggee ends the session, recorded
    await dap.request('continue', { threadId });
    await dap.event('terminated', 1, 60_000);
    await tracing.terminated(debugSession);
    await waitFor('the session to end', () => !session.live, 30_000);
    assert.ok(['exited', 'stopped'].includes(session.state), `session state ${session.state}: ${session.message ?? ''}`);
    // the file is complete once its end record is written: then it reopens with the step's open
    const reader = new SessionManager({ clock: systemClock, log: () => undefined, settings: () => ({ sessionsDirectory: dir, maxEventsInMemory: 10000, events: ['exec'], redact: true }) });
    const reopened = await waitFor('the session file with its end record', async () => {
      // read while still being written it is cut mid-line or has no end record yet
      const opened = await reader.openFile(session.file!).catch(() => undefined);
      if (opened?.stats.endedAt === undefined) { if (opened) reader.remove(opened); return undefined; }
      return opened;
    }, 15_000);
    assert.equal(reopened.title, 'Debug debuggee.py');
    assert.ok(reopened.window.toArray().some((e) => e.kind === 'open' && (e as OpenEvent).path === `${work}/stepped-over`));
    reader.dispose();
    assert.deepEqual(warnings, []);
  });

  it('a debuggee that exits at once still has its events recorded: it was held until followed', async function () {
    const work = path.join(dir, 'work');
    fs.mkdirSync(work);
    const config = await tracing.resolve({
      type: 'python', request: 'launch', name: 'Quick exit', python: PYTHON, console: 'internalConsole', runtimeLens: { events: ['exec', 'file'] },
      code: `open(${JSON.stringify(work + '/quick')}, 'w').close(); raise SystemExit(3)`,
    }) as LaunchConfig;
    dap = new DapClient(PYTHON, ['-m', 'debugpy.adapter']);
    const debugSession: DebugSessionLike = { id: 'd2', name: config.name, type: config.type, configuration: config };
    dap.tracker = tracing.tracker(debugSession);
    await dap.request('initialize', { clientID: 'vscode', adapterID: 'debugpy', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const { [TRACE_KEY]: _key, runtimeLens: _attr, ...launchArgs } = config;
    const launched = dap.request('launch', launchArgs, 120_000);
    await dap.event('initialized', 1, 120_000);
    await dap.request('configurationDone');
    await launched;
    await dap.event('terminated', 1, 60_000);
    await tracing.terminated(debugSession);
    const session = tracing.sessionOf(tracing.activeTrace ?? ({} as never)) ?? sessions.sessions[0];
    assert.ok(session, 'the quick debuggee got its session');
    await waitFor('the session to end', () => !session.live, 30_000);
    const events = session.window.toArray();
    assert.ok(events.some((e) => e.kind === 'open' && (e as OpenEvent).path === `${work}/quick`),
      `the open of the program that exited at once; the session (${session.state}, ${session.message ?? ''}) has ${events.map((e) => `${e.kind} ${e.comm} ${(e as OpenEvent).path ?? ''}`).slice(-15).join(', ')}`);
    assert.ok(events.some((e) => e.kind === 'exit' && e.pid === session.targetPid), 'its exit');
    assert.deepEqual(warnings, []);
  });
});
