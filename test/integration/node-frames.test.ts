// JS stacks of Node processes launched by `trace`: every marked line of the
// fixtures is the source of the event it made, line and column, for calls that
// make their syscall on the calling thread and for work libuv's threadpool does
// later; TypeScript through its source map; the demo app's config read.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LensEvent } from '../../remote-agent/src/protocol';
import { requireBpf } from '../helpers/bpf';
import { NODE, scratchDir, scriptFixture } from '../helpers/fixtures';
import { REPO_ROOT } from '../helpers/paths';
import { assertExit, only, select, trace } from '../helpers/trace';

/** The stack fields of an event. */
interface Stacked { frames?: Array<{ kind: string; file?: string; line?: number; column?: number }>; source?: { file: string; line: number; column?: number } }

/** Line and column (1-based) of the callee's name on the line marked `// @mark CALLEE`, e.g. `promises.readFile` → the column of `readFile`. */
function mark(file: string, callee: string): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.endsWith(`// @mark ${callee}`));
  assert.ok(i >= 0, `${file} has no line marked ${callee}`);
  const at = lines[i].indexOf(`${callee}(`);
  assert.ok(at >= 0, `line ${i + 1} of ${file} does not call ${callee}`);
  return { line: i + 1, column: at + callee.lastIndexOf('.') + 2 };
}

function assertSource(e: LensEvent, file: string, callee: string, what: string): void {
  const want = mark(file, callee);
  const s = (e as Stacked).source;
  assert.deepEqual(s && { file: s.file, line: s.line, column: s.column }, { file, ...want }, `${what}: ${JSON.stringify(e)}`);
  const frames = (e as Stacked).frames ?? [];
  assert.ok(frames.some((f) => f.kind === 'js' && f.file === file && f.line === want.line), `${what}: its frames hold the line: ${JSON.stringify(frames)}`);
}

describe('trace: JS stacks of Node processes', function () {
  before(function () {
    requireBpf(this);
  });

  it('names the line and column of synchronous calls and of calls whose work ran on the threadpool', async function () {
    const fixture = scriptFixture('node/frames.js');
    const dir = realpathSync(scratchDir('node-frames'));
    const run = await trace([NODE, fixture, dir]);
    assertExit(run, 0);
    const pid = only(run.events, 'exec', { filename: NODE }).pid;

    const opens = select(run.events, 'open', { pid, path: path.join(dir, 'sync.txt') });
    assert.equal(opens.length, 4, JSON.stringify(opens));
    const calls = ['writeFileSync', 'readFileSync', 'readFile', 'promises.readFile'];
    opens.forEach((e, i) => assertSource(e, fixture, calls[i], `open of ${calls[i]}`));
    assert.deepEqual(opens.map((e) => e.tid === pid), [true, true, false, false], 'the sync calls open on the main thread, the others on the threadpool');

    const dns = only(run.events, 'dns', { pid, name: 'localhost' });
    assert.notEqual(dns.tid, pid, 'getaddrinfo runs on the threadpool');
    assertSource(dns, fixture, 'lookup', 'dns.lookup');

    for (const [arg, callee] of [['sync-child', 'execFileSync'], ['async-child', 'spawn']]) {
      const exec = run.events.find((e) => e.kind === 'exec' && e.filename === '/bin/true' && e.argv[1] === arg);
      assert.ok(exec, `exec of /bin/true ${arg}`);
      assertSource(exec, fixture, callee, `exec by ${callee}`);
      assertSource(only(run.events, 'fork', { pid, child_pid: exec.pid }), fixture, callee, `fork by ${callee}`);
    }

    const listen = only(run.events, 'listen', { pid });
    const connect = only(run.events, 'connect', { pid, family: 'AF_INET', dport: listen.sport });
    assertSource(connect, fixture, 'connect', 'net.connect');
  });

  it('with --stacks, puts the JS frames where V8 ran them on a native stack, and after the threadpool thread\'s own frames', async function () {
    const fixture = scriptFixture('node/frames.js');
    const dir = realpathSync(scratchDir('node-frames-stacks'));
    const run = await trace([NODE, fixture, dir], ['--stacks']);
    assertExit(run, 0);
    const pid = only(run.events, 'exec', { filename: NODE }).pid;
    const [, sync, callback] = select(run.events, 'open', { pid, path: path.join(dir, 'sync.txt') });
    assertSource(sync, fixture, 'readFileSync', 'open of readFileSync with --stacks');
    assertSource(callback, fixture, 'readFile', 'open of readFile with --stacks');
    const shape = (e: LensEvent): string[] => ((e as Stacked).frames ?? []).map((f) => `${f.kind}:${(f as { function?: string }).function ?? ''}`);
    const s = shape(sync);
    const firstJs = s.findIndex((f) => f.startsWith('js:'));
    assert.ok(firstJs > 0 && s.slice(0, firstJs).every((f) => f.startsWith('native:')), `native frames first: ${s.join(' < ')}`);
    assert.ok(s.slice(firstJs).some((f) => f.startsWith('native:Builtins_JSEntry')), `V8's entry and its native callers after the JS frames: ${s.join(' < ')}`);
    assert.ok(!s.some((f) => f === 'native:Builtins_InterpreterEntryTrampoline'), `the interpreter frames are replaced by the JS frames they ran: ${s.join(' < ')}`);
    const c = shape(callback);
    const cJs = c.findIndex((f) => f.startsWith('js:'));
    assert.ok(cJs > 0 && c.slice(0, cJs).includes('native:worker') && c.slice(cJs).every((f) => f.startsWith('js:')),
      `the threadpool thread's native frames, then the JS stack that queued the work: ${c.join(' < ')}`);
  });

  it('maps the lines of compiled TypeScript to the .ts source through its source map', async function () {
    const project = scriptFixture('node/ts');
    const out = realpathSync(scratchDir('node-ts'));
    execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', project, '--outDir', out]);
    const input = path.join(out, 'input.txt');
    writeFileSync(input, 'lens\n');
    const run = await trace([NODE, path.join(out, 'app.js'), input]);
    assertExit(run, 0);
    const open = only(run.events, 'open', { path: input });
    const source = (open as Stacked).source;
    const file = path.join(project, 'app.ts');
    const want = mark(file, 'readFileSync');
    assert.equal(source?.file, file, JSON.stringify(open));
    assert.equal(source.line, want.line, JSON.stringify(open));
    // tsc compiles the call to `(0, node_fs_1.readFileSync)(…)`, which V8 places at its argument list: the agent maps its callee
    assert.equal(source.column, want.column, JSON.stringify(open));
  });

  it("attributes the demo app's config read to its line", async function () {
    const workspace = realpathSync(scratchDir('demo'));
    cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'demo-workspace'), workspace, { recursive: true });
    const app = path.join(workspace, 'app.js');
    const run = await trace([NODE, app], [], { cwd: workspace });
    assertExit(run, 0);
    const line = readFileSync(app, 'utf8').split('\n').findIndex((l) => l.includes("readFileSync(path.join(__dirname, 'config.json')")) + 1;
    const open = only(run.events, 'open', { path: path.join(workspace, 'config.json') });
    assert.deepEqual({ file: (open as Stacked).source?.file, line: (open as Stacked).source?.line }, { file: app, line }, JSON.stringify(open));
  });
});
