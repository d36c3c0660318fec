// `trace --json --stacks`: the probe copies the user registers and stack at each event and the
// agent's symbolize stage unwinds them with lens-symbolize: a C program built -O2 -g without
// frame pointers gets its exact lines, from the main thread, a thread and a forked child's exec.
import assert from 'node:assert/strict';
import { requireBpf } from '../helpers/bpf';
import { marks, nativeFixture } from '../helpers/native-stacks';
import { startCli } from '../helpers/trace';
import { EventsNotification, InitializeRequest, SessionStartRequest, type Frame, type LensEvent } from '../../remote-agent/src/protocol';
import { AgentProcess } from '../helpers/agent';
import { waitFor } from '../helpers/procs';

const SOURCE = 'c/stacks-traced.c';
const FLAGS = ['-O2', '-g', '-fomit-frame-pointer', '-pthread'];

/** function:line of each frame in the fixture's source, innermost first. */
function linesIn(frames: Frame[] | undefined): string[] {
  return (frames ?? []).filter((f) => f.file?.endsWith('fixtures/c/stacks-traced.c')).map((f) => `${f.function}:${f.line}`);
}

describe('trace --stacks: events carry the stack of the call that made them', function () {
  this.timeout(90_000);
  before(function () {
    requireBpf(this);
  });

  it('gives the exact lines of an open in nested calls, in a thread and of a forked child\'s exec, with the source line', async function () {
    const bin = nativeFixture('stacks-traced', SOURCE, 'gcc', FLAGS);
    const m = marks(SOURCE);
    const run = startCli(['trace', '--json', '--stacks', '--', bin]);
    const isOpen = (path: string) => (e: LensEvent) => e.kind === 'open' && e.path === path;
    const main = await run.waitForEvent('the open of /lens-marker/main', isOpen('/lens-marker/main'));
    const thread = await run.waitForEvent('the open of /lens-marker/thread', isOpen('/lens-marker/thread'));
    const exec = await run.waitForEvent('the exec of /bin/true', (e) => e.kind === 'exec' && e.filename === '/bin/true');
    // every event arrived whole: the fixture still runs, its maps readable, while its frames were made
    process.kill(main.pid, 'SIGTERM');
    const result = await run.done;
    assert.equal(result.code, 128 + 15, result.stderr);

    assert.deepEqual(linesIn(main.frames), [
      `open_marker:${m.open}`, `load_config:${m['call-open']}`, `load_config:${m.recurse}`, `load_config:${m.recurse}`, `main:${m.main}`,
    ], JSON.stringify(main.frames));
    assert.deepEqual(main.source, { file: main.frames![1].file, line: m.open, column: main.source?.column, function: 'open_marker' });
    assert.match(main.frames![0].module ?? '', /libc\.so/, 'the innermost frame is the C library\'s openat wrapper');
    assert.equal(main.stack_error, undefined);

    // a thread's stack mapping ends a few KiB above its stack pointer: the copy stops there, the frames are whole
    assert.deepEqual(linesIn(thread.frames).slice(0, 2), [`open_marker:${m.open}`, `worker:${m.thread}`], JSON.stringify(thread.frames));
    assert.equal(thread.source?.line, m.open);

    // a successful exec's stack is the caller's, unwound with its parent's mappings
    assert.deepEqual(linesIn(exec.frames), [`run_child:${m.exec}`, `main:${m['main-exec']}`], JSON.stringify(exec.frames));
    assert.equal(exec.source?.line, m.exec);

    // stacks only on the kinds that are calls of the program: never on fork or exit
    for (const e of result.events) {
      if (e.kind === 'fork' || e.kind === 'exit') assert.equal(e.frames, undefined, JSON.stringify(e));
      else assert.ok(e.frames || e.stack_error, `a ${e.kind} event carries frames or says why not: ${JSON.stringify(e)}`);
    }
    assert.equal(result.summary?.lost, 0, result.stderr);
  });

  it('over JSON-RPC: session/start with stacks gives the events the same frames and source line', async function () {
    const bin = nativeFixture('stacks-traced', SOURCE, 'gcc', FLAGS);
    const m = marks(SOURCE);
    const agent = new AgentProcess();
    const rpc = agent.connect();
    const events: LensEvent[] = [];
    rpc.onNotification(EventsNotification, (p) => { events.push(...p.events); });
    try {
      const init = await rpc.sendRequest(InitializeRequest, { clientName: 'integration-test' });
      assert.equal(init.capabilities.stacks, true, 'this x86_64 agent offers stacks');
      const { pid } = await rpc.sendRequest(SessionStartRequest, { target: { kind: 'launch', command: [bin], stdio: 'null' }, events: ['file'], stacks: true, stackBytes: 4096 });
      const main = await waitFor('the open of /lens-marker/main', () => events.find((e) => e.kind === 'open' && e.path === '/lens-marker/main'), 20_000);
      process.kill(pid, 'SIGTERM');
      assert.deepEqual(linesIn(main.frames).slice(0, 2), [`open_marker:${m.open}`, `load_config:${m['call-open']}`], JSON.stringify(main.frames));
      assert.equal(main.source?.line, m.open);
    } finally {
      rpc.dispose();
      await agent.stop();
    }
  });

  it('unwinds the events of a program gone before they are, says why the launched exec has no stack, and never holds events back', async function () {
    // /bin/true exits before its events reach lens-symbolize: the code mappings the probe recorded unwind them
    const run = startCli(['trace', '--json', '--stacks', '--stack-bytes', '1024', '--', '/bin/true']);
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    const opens = result.events.filter((e) => e.kind === 'open');
    assert.ok(opens.length > 0, result.stdout);
    for (const e of opens) assert.ok(e.frames?.length && e.stack_error === undefined, JSON.stringify(e));
    // the launched command's exec is made by the probe, which is not traced
    const exec = result.events.find((e) => e.kind === 'exec');
    assert.match(exec?.stack_error ?? '', /^stack not unwound: exec replaced the calling program/, JSON.stringify(exec));
  });
});
