import assert from 'node:assert/strict';
import { DebugTrace, type DebugStep, type DebugTracePort, type TracedSession } from '../../../extension/src/debug/debugTrace';

/** A Runtime Lens session as the trace sees it: records the pids added and whether it was stopped. */
class FakeTraced implements TracedSession {
  live = true;
  added: number[] = [];
  stops = 0;
  constructor(readonly pid: number) {}
  async addProcess(pid: number): Promise<void> {
    this.added.push(pid);
  }
  async stop(): Promise<void> {
    this.stops++;
    this.live = false;
  }
}

/** The extension side of the trace: starts resolve when the test says so. */
class FakePort implements DebugTracePort {
  time = 1000;
  started: FakeTraced[] = [];
  starts: { pid: number; held: boolean; resolve(): void; reject(e: Error): void }[] = [];
  released: number[] = [];
  warnings: string[] = [];
  offers: string[] = [];
  autoStart = true;
  start(pid: number, held: boolean): Promise<TracedSession> {
    return new Promise((resolve, reject) => {
      const s = new FakeTraced(pid);
      const entry = { pid, held, resolve: () => { this.started.push(s); resolve(s); }, reject };
      this.starts.push(entry);
      if (this.autoStart) entry.resolve();
    });
  }
  release(pid: number): void { this.released.push(pid); }
  warn(message: string): void { this.warnings.push(message); }
  offerAttach(message: string): void { this.offers.push(message); }
  now(): number { return this.time; }
}

const settle = () => new Promise((r) => setImmediate(r));
const event = (name: string, body: Record<string, unknown> = {}) => ({ type: 'event', event: name, body });
const request = (command: string) => ({ type: 'request', command });

describe('DebugTrace: one debug session traced as a state machine', () => {
  let port: FakePort;
  let trace: DebugTrace;
  let steps: (DebugStep | undefined)[];
  beforeEach(() => {
    port = new FakePort();
    trace = new DebugTrace('Launch app', port);
    steps = [];
    trace.onDidChangeStep((s) => steps.push(s && { ...s }));
  });
  afterEach(() => trace.dispose());

  it('starts a Runtime Lens session on the held debuggee and follows the pids the adapter reports later', async () => {
    trace.held(500);
    await settle();
    assert.equal(trace.state, 'tracing');
    assert.deepEqual(port.starts.map((s) => [s.pid, s.held]), [[500, true]]);
    // a DAP process event for the same pid (debugpy's) adds nothing; a new one is followed
    trace.fromAdapter(event('process', { systemProcessId: 500, isLocalProcess: true }));
    trace.fromAdapter(event('process', { systemProcessId: 777, isLocalProcess: true }), false);
    await settle();
    assert.deepEqual(port.started[0].added, [777]);
    assert.equal(port.starts.length, 1);
  });

  it('starts on the pid of a DAP process event when nothing was held (any adapter that reports its process)', async () => {
    trace.fromAdapter(event('process', { systemProcessId: 4321, isLocalProcess: true, startMethod: 'launch' }));
    await settle();
    assert.deepEqual(port.starts.map((s) => [s.pid, s.held]), [[4321, false]]);
    assert.equal(trace.state, 'tracing');
  });

  it('adds pids that arrive while its session is starting once it runs', async () => {
    port.autoStart = false;
    trace.held(500);
    trace.fromAdapter(event('process', { systemProcessId: 600 }), false);
    trace.fromAdapter(event('process', { systemProcessId: 600 }), false);
    assert.equal(trace.state, 'starting');
    port.starts[0].resolve();
    await settle();
    assert.deepEqual(port.started[0].added, [600]);
  });

  it('cuts the events into steps: each stop ends a step, each continue or step request starts the next', async () => {
    port.time = 1000;
    trace.held(500);
    await settle();
    assert.deepEqual(trace.currentStep, { index: 1, from: 1000 });
    port.time = 1500;
    trace.fromAdapter(event('stopped', { reason: 'breakpoint', threadId: 1 }), false);
    assert.equal(trace.isPaused, true);
    assert.deepEqual(trace.currentStep, { index: 1, from: 1000, stoppedAt: 1500, reason: 'breakpoint' });
    port.time = 1600;
    trace.toAdapter(request('next'));
    assert.equal(trace.isPaused, false);
    port.time = 1700;
    trace.fromAdapter(event('stopped', { reason: 'step' }), false);
    // the adapter's own continued event after a step request starts no second step
    port.time = 1800;
    trace.fromAdapter(event('continued', { threadId: 1 }), false);
    port.time = 1900;
    trace.fromAdapter(event('stopped', { reason: 'breakpoint' }), false);
    trace.fromAdapter(event('continued', {}), false);
    assert.deepEqual(trace.steps.map((s) => [s.index, s.from, s.stoppedAt, s.to, s.reason]), [
      [1, 1000, 1500, 1600, 'breakpoint'],
      [2, 1600, 1700, 1800, 'step'],
      [3, 1800, 1900, 1900, 'breakpoint'],
      [4, 1900, undefined, undefined, undefined],
    ]);
    assert.deepEqual(steps.map((s) => s && [s.index, s.stoppedAt !== undefined]), [
      [1, false], [1, true], [2, false], [2, true], [3, false], [3, true], [4, false],
    ]);
  });

  it('a child session ending is one process ending; the root exiting ends and records the session', async () => {
    trace.held(500);
    await settle();
    trace.fromAdapter(event('terminated'), false);
    trace.fromAdapter(event('exited', { exitCode: 0 }), false);
    await settle();
    assert.equal(port.started[0].stops, 0);
    trace.fromAdapter(event('exited', { exitCode: 0 }));
    await settle();
    assert.equal(port.started[0].stops, 1);
    assert.equal(trace.state, 'between');
    await trace.ended();
    assert.equal(trace.state, 'ended');
    assert.equal(port.started[0].stops, 1);
    assert.equal(steps[steps.length - 1], undefined);
  });

  it('a restart ends the current session and the relaunched debuggee starts a new one with fresh steps', async () => {
    trace.held(500);
    await settle();
    trace.fromAdapter(event('stopped', { reason: 'breakpoint' }), false);
    trace.toAdapter(request('restart'));
    await settle();
    assert.equal(port.started[0].stops, 1);
    port.time = 5000;
    trace.held(900);
    await settle();
    assert.deepEqual(port.starts.map((s) => s.pid), [500, 900]);
    assert.equal(trace.traced, port.started[1]);
    assert.deepEqual(trace.steps, [{ index: 1, from: 5000 }]);
    assert.equal(trace.isPaused, false);
  });

  it('ending the debug session while its session starts stops that session as soon as it runs', async () => {
    port.autoStart = false;
    trace.held(500);
    const ended = trace.ended();
    await ended;
    port.starts[0].resolve();
    await settle();
    assert.equal(port.started[0].stops, 1);
    assert.equal(trace.state, 'ended');
    // a held pid reported after the end is let go, not traced
    trace.held(501);
    assert.deepEqual(port.released, [501]);
    assert.equal(port.starts.length, 1);
  });

  it('says that a remote debuggee needs a remote agent, once, and traces nothing', async () => {
    trace.fromAdapter(event('process', { systemProcessId: 42, isLocalProcess: false }));
    trace.fromAdapter(event('process', { systemProcessId: 42, isLocalProcess: false }));
    await settle();
    assert.equal(port.starts.length, 0);
    assert.equal(port.warnings.length, 1);
    assert.match(port.warnings[0], /another machine.*isLocalProcess: false.*agent on that machine/);
  });

  it('offers Attach to Process when the adapter stops without having revealed a pid', async () => {
    trace.fromAdapter(event('stopped', { reason: 'entry' }));
    trace.noPidYet();
    assert.equal(trace.steps.length, 0, 'nothing is traced, so no step begins');
    assert.equal(port.offers.length, 1);
    assert.match(port.offers[0], /no process id for "Launch app".*Pick its process/);
  });

  it('a failed start is said with the agent\'s reason, and the next pid tries again', async () => {
    port.autoStart = false;
    trace.held(500);
    trace.held(501);
    port.starts[0].reject(new Error('loading eBPF programs needs CAP_BPF and CAP_PERFMON'));
    await settle();
    assert.match(port.warnings[0], /could not trace "Launch app" \(pid 500\): loading eBPF programs needs CAP_BPF/);
    assert.deepEqual(port.released, [501]);
    assert.equal(trace.state, 'waiting');
    trace.held(502);
    port.starts[1].resolve();
    await settle();
    assert.equal(trace.state, 'tracing');
  });
});
