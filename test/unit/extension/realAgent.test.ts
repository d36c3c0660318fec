import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { LOCAL_AGENT } from '../../../extension/src/agent/agentId';
import { AgentManager } from '../../../extension/src/agent/agentManager';
import { spawnAgent } from '../../../extension/src/agent/agentProcess';
import { PrivilegeAdvisor, GRANT } from '../../../extension/src/agent/privileges';
import { AttachProcessPicker } from '../../../extension/src/commands/attachProcess';
import type { Session } from '../../../extension/src/session/session';
import { exportSession } from '../../../extension/src/session/exportSession';
import { readSessionFile } from '../../../extension/src/session/sessionFile';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import { systemClock } from '../../../extension/src/util/clock';
import { requireBpf } from '../../helpers/bpf';
import { CLI_ENTRY, REPO_ROOT } from '../../helpers/paths';
import { fakeClientsDir, leakedSecrets, secretCommand } from '../../helpers/secrets';
import { until } from './helpers/fakeAgent';
import type { LensEvent } from '../../../remote-agent/src/protocol';

/*
 * The extension's agent connection and sessions against the real agent
 * (runtime-lens agent --stdio) tracing real processes with eBPF.
 */
describe('extension with the real agent', function () {
  this.timeout(60000);
  let dir: string;
  let sessions: SessionManager;
  let agents: AgentManager;
  const errors: string[] = [];

  before(function () {
    requireBpf(this);
    if (!fs.existsSync(path.join(REPO_ROOT, 'remote-agent', 'dist', 'runtime-lens.js'))) {
      throw new Error('remote-agent/dist/runtime-lens.js is missing: run `node scripts/build.mjs` first (npm test does).');
    }
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-real-agent-'));
    sessions = new SessionManager({ clock: systemClock, log: () => undefined, settings: () => ({ sessionsDirectory: dir, maxEventsInMemory: 1000, events: ['exec', 'file', 'net', 'dns'], redact: true }) });
    agents = new AgentManager({
      id: LOCAL_AGENT,
      ui: { showErrorMessage: async (m) => void errors.push(m) },
      resolveCommand: () => ({ command: process.execPath, args: [CLI_ENTRY, 'agent', '--stdio'], env: {}, agentPath: CLI_ENTRY }),
      spawn: (cmd) => spawnAgent(cmd, REPO_ROOT, () => undefined),
      clientName: 'extension-test', clientVersion: '0', log: () => undefined,
      onClient: (c) => sessions.bindAgent(c),
      onProblem: (p) => assert.fail(`the agent reports a problem: ${p.message}`),
      restart: () => undefined,
    });
  });

  afterEach(async () => {
    await agents.shutdown();
    sessions.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('traces a launched command: output in the terminal stream, process tree, every event in the session file', async () => {
    const client = await agents.get();
    const output: string[] = [];
    const marker = path.join(dir, 'marker.txt');
    fs.writeFileSync(marker, 'x');
    const session: Session = await sessions.start(client, { kind: 'launch', command: ['sh', '-c', `echo hello; cat ${marker} >/dev/null; exit 3`], cwd: dir }, 'sh', (s) => {
      s.onDidOutput((o) => output.push(o.data.toString()));
    });
    await until(() => !session.live, 'the command to exit', 30000);
    assert.equal(session.state, 'exited', session.message);
    assert.equal(session.exitCode, 3);
    assert.equal(output.join(''), 'hello\n');
    const sh = session.processes.roots.find((n) => n.comm === 'sh');
    assert.ok(sh, `sh in the process tree (roots: ${session.processes.roots.map((r) => r.comm).join(', ')})`);
    assert.equal(sh.exitCode, 3);
    assert.ok(sh.children.some((c) => c.comm === 'cat' && c.exitCode === 0), 'cat is a child of sh and exited 0');
    assert.ok(session.window.toArray().some((e) => e.kind === 'open' && e.path === marker), 'the open of the marker is an event');

    await session.recorder!.close({ state: 'exited', endedAt: 0 });
    const onDisk: LensEvent[] = [];
    await readSessionFile(session.file!, (b) => onDisk.push(...b));
    assert.equal(onDisk.length, session.window.size + session.window.evicted, 'every received event is on disk');
    assert.deepEqual(onDisk.slice(-session.window.size).map((e) => e.ts), session.window.toArray().map((e) => e.ts), 'the file ends with what is in memory');
    const catExec = onDisk.find((e) => e.kind === 'exec' && e.argv[0] === 'cat');
    assert.deepEqual(catExec?.kind === 'exec' && catExec.argv, ['cat', marker]);
  });

  it('keeps every secret of a traced command line out of the session file, its header, its name and an export', async () => {
    const client = await agents.get();
    const argv = ['/usr/bin/env', `PATH=${fakeClientsDir()}:${process.env.PATH}`, ...secretCommand()];
    const session = await sessions.start(client, { kind: 'launch', command: argv, cwd: dir }, argv.join(' '));
    await until(() => !session.live, 'the command to exit', 30000);
    assert.equal(session.exitCode, 0, session.message);
    const execs = session.window.toArray().filter((e) => e.kind === 'exec');
    assert.deepEqual(execs.map((e) => e.kind === 'exec' && e.argv[0]), ['/usr/bin/env', '/bin/sh', 'mysql', 'mysql', 'curl', 'sh', 'curl', 'sshpass']);
    await session.recorder!.close({ state: 'exited', endedAt: 0 });
    assert.deepEqual(leakedSecrets(zlib.gunzipSync(fs.readFileSync(session.file!)).toString('utf8')), [], 'secrets in the session file');
    assert.match(path.basename(session.file!), /_env\.lens\.ndjson\.gz$/);
    const exported = path.join(dir, 'export.csv');
    assert.equal(await exportSession(session, 'csv', exported), session.window.size + session.window.evicted);
    assert.deepEqual(leakedSecrets(fs.readFileSync(exported, 'utf8')), [], 'secrets in the export');
  });

  it('an unknown command is refused with the agent\'s message', async () => {
    const client = await agents.get();
    await assert.rejects(sessions.start(client, { kind: 'launch', command: ['no-such-command-lens-test'], cwd: dir }, 'x'), /command not found: no-such-command-lens-test/);
    assert.equal(sessions.sessions.length, 0);
  });

  it('attaching to a pid that has exited gives a clear error', async () => {
    const client = await agents.get();
    const child = (await import('node:child_process')).spawn('true');
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    const shown: string[] = [];
    const picker = new AttachProcessPicker({
      ui: { showQuickPick: async () => undefined, showErrorMessage: async (m) => void shown.push(m) },
      listProcesses: () => client.listProcesses(),
      hiddenPids: () => [],
      run: async (p, comm) => void (await sessions.start(client, { kind: 'attach', pid: p, comm }, comm)),
    });
    assert.equal(await picker.attach(pid, 'true'), false);
    assert.deepEqual(shown, [`Process ${pid} (true) is no longer running: it exited after the list was read. Pick a running process.`]);
  });

  it('an agent whose probe lacks privileges reports it at initialize, and the advice is the exact setcap command', async () => {
    const problems: string[] = [];
    const unprivileged = new AgentManager({
      id: LOCAL_AGENT,
      ui: { showErrorMessage: async (m) => void errors.push(m) },
      // the same agent, run as an unprivileged user
      resolveCommand: () => ({ command: 'runuser', args: ['-u', 'nobody', '--', process.execPath, CLI_ENTRY, 'agent', '--stdio'], env: {}, agentPath: CLI_ENTRY }),
      spawn: (cmd) => spawnAgent(cmd, os.tmpdir(), () => undefined),
      clientName: 'extension-test', clientVersion: '0', log: () => undefined,
      onClient: (c) => sessions.bindAgent(c),
      onProblem: (p) => void problems.push(p.message),
      restart: () => undefined,
    });
    try {
      const client = await unprivileged.get();
      const problem = client.initializeResult?.capabilities.problem;
      assert.ok(problem, 'initialize reports the problem');
      assert.deepEqual(problems, [problem.message]);
      const typed: string[] = [];
      const advisor = new PrivilegeAdvisor({
        showWarningMessage: async () => GRANT, showErrorMessage: async () => undefined, showInformationMessage: async () => undefined,
        createTerminal: () => ({ show: () => undefined, sendText: (t: string) => void typed.push(t) }),
      }, { pkexec: async () => undefined, enableSudo: async () => undefined, restartAgent: async () => undefined, showDetails: () => undefined });
      await advisor.offer(problem);
      // the agent's own probe path and capabilities: the extension searches for no probe
      assert.match(typed[0] ?? '', /^sudo setcap cap_bpf,cap_perfmon\S*\+ep \/\S*lens-probe$/);
      await assert.rejects(sessions.start(client, { kind: 'launch', command: ['true'], cwd: os.tmpdir() }, 'true'), /CAP_BPF/);
    } finally {
      await unprivileged.shutdown();
    }
  });
});
