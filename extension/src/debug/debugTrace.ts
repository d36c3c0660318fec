/*
 * The trace of one VS Code debug session (its root and every child session of
 * it), as a small state machine driven by what the debug adapter says and is
 * asked: a pid (held at entry by the hold wrapper, or a DAP `process` event)
 * starts a Runtime Lens session or is added to the running one; `stopped`,
 * `continued` and the step requests cut the session's events into steps;
 * `restart` ends the session (the relaunched debuggee starts the next one);
 * the end of the debug session ends and records it. Everything it talks to
 * comes through DebugTracePort, so tests drive it without VS Code.
 */
import { Emitter, type Event } from 'vscode-jsonrpc';
import type { DebugStepMark } from '../../../webview/src/messages';

/** A Runtime Lens session started for the debug session (a Session of the SessionManager in the extension). */
export interface TracedSession {
  readonly live: boolean;
  /** follows another process and its descendants in this session */
  addProcess(pid: number): Promise<void>;
  /** ends the session (recorded); the debuggee is not touched */
  stop(): Promise<void>;
}

/** What the trace needs from the extension. */
export interface DebugTracePort {
  /** starts a Runtime Lens session on `pid` (held: the hold wrapper keeps it at entry until then) */
  start(pid: number, held: boolean): Promise<TracedSession>;
  /** the pid came held but will not be traced: let it run */
  release(pid: number): void;
  /** tells the user something went wrong or is missing, and what to do */
  warn(message: string): void;
  /** no pid came: offer Attach to Process with the likely candidates */
  offerAttach(message: string): void;
  /** ms since the Unix epoch (the clock events are timed with) */
  now(): number;
}

/** One step of the debuggee (the type the events view gets too). */
export type DebugStep = DebugStepMark;

/** Where the trace is. */
export type DebugTraceState = 'waiting' | 'starting' | 'tracing' | 'between' | 'ended';

/** A DAP message as trackers see it (only the fields read here). */
export interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
  body?: Record<string, unknown>;
}

/** Requests that let the debuggee run again: each starts a new step. */
const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto']);

/** How long a debug session may run without revealing a pid before Attach to Process is offered. */
export const NO_PID_MS = 10_000;

/** The trace of one debug session and its children. */
export class DebugTrace {
  state: DebugTraceState = 'waiting';
  private session: TracedSession | undefined;
  /** pids to add once the session being started runs */
  private queued: number[] = [];
  /** every pid already given to a session of this trace (a child's `process` event repeats the held one) */
  private readonly known = new Set<number>();
  private readonly stepList: DebugStep[] = [];
  private paused = false;
  private offered = false;
  private remoteWarned = false;
  private readonly stepEmitter = new Emitter<DebugStep | undefined>();
  private readonly sessionEmitter = new Emitter<TracedSession>();
  /** the current step changed (a stop, a continue, a new session) */
  readonly onDidChangeStep: Event<DebugStep | undefined> = this.stepEmitter.event;
  /** a Runtime Lens session was started for this debug session */
  readonly onDidStartSession: Event<TracedSession> = this.sessionEmitter.event;

  constructor(readonly name: string, private readonly port: DebugTracePort) {}

  /** The Runtime Lens session of the current run (the latest after a restart). */
  get traced(): TracedSession | undefined {
    return this.session;
  }

  /** Every step of the current Runtime Lens session, oldest first. */
  get steps(): readonly DebugStep[] {
    return this.stepList;
  }

  /** The step shown while paused: the last one. */
  get currentStep(): DebugStep | undefined {
    return this.stepList[this.stepList.length - 1];
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The hold wrapper reported a debuggee process, held at entry. */
  held(pid: number): void {
    this.pid(pid, true);
  }

  /**
   * A message the adapter sent, of the root session or of a child session (`root` false): a
   * child's end is one process's end (a js-debug child session per Node process), not the run's.
   */
  fromAdapter(m: DapMessage, root = true): void {
    if (m.type !== 'event') return;
    const body = m.body ?? {};
    switch (m.event) {
      case 'process': {
        if (body.isLocalProcess === false) {
          if (!this.remoteWarned) {
            this.remoteWarned = true;
            this.port.warn(`Runtime Lens cannot trace "${this.name}": its debuggee runs on another machine (the adapter says isLocalProcess: false). Trace it with an agent on that machine (Runtime Lens: Connect to Remote Host…, or VS Code Remote-SSH with Runtime Lens installed there).`);
          }
          return;
        }
        const pid = body.systemProcessId;
        if (typeof pid === 'number' && Number.isInteger(pid) && pid > 0) this.pid(pid, false);
        return;
      }
      case 'stopped':
        this.stopped(typeof body.reason === 'string' ? body.reason : 'pause');
        return;
      case 'continued':
        this.resumed();
        return;
      case 'exited':
      case 'terminated':
        if (root) void this.endSession();
        return;
    }
  }

  /** A request the adapter is about to receive (of the root session or of a child session). */
  toAdapter(m: DapMessage): void {
    if (m.type !== 'request' || !m.command) return;
    if (RESUMING.has(m.command)) this.resumed();
    else if (m.command === 'restart') void this.endSession();
  }

  /** The debug session has run for a while (or stopped) without revealing a pid: says so once, with the way out. */
  noPidYet(): void {
    if (this.state !== 'waiting' || this.offered) return;
    this.offered = true;
    this.port.offerAttach(`Runtime Lens has no process id for "${this.name}": its debug adapter did not report one (no DAP process event) and the debuggee was not started through Runtime Lens's hold. Pick its process to trace it from now on.`);
  }

  /** The root debug session ended: the Runtime Lens session ends and is recorded. */
  async ended(): Promise<void> {
    if (this.state === 'ended') return;
    await this.endSession();
    this.state = 'ended';
    this.stepEmitter.fire(undefined);
  }

  dispose(): void {
    this.stepEmitter.dispose();
    this.sessionEmitter.dispose();
  }

  private pid(pid: number, held: boolean): void {
    if (this.state === 'ended') {
      if (held) this.port.release(pid);
      return;
    }
    if (this.state === 'starting') {
      if (!this.queued.includes(pid)) this.queued.push(pid);
      return;
    }
    if (this.state === 'tracing' && this.session?.live) {
      if (this.known.has(pid)) return;
      this.known.add(pid);
      this.session.addProcess(pid).catch((e: Error) => this.port.warn(`Runtime Lens could not follow pid ${pid} of "${this.name}": ${e.message}`));
      return;
    }
    void this.startOn(pid, held);
  }

  private async startOn(pid: number, held: boolean): Promise<void> {
    this.state = 'starting';
    this.known.clear();
    this.known.add(pid);
    this.stepList.length = 0;
    this.paused = false;
    this.stepList.push({ index: 1, from: this.port.now() });
    let session: TracedSession;
    try {
      session = await this.port.start(pid, held);
    } catch (e) {
      this.port.warn(`Runtime Lens could not trace "${this.name}" (pid ${pid}): ${(e as Error).message}`);
      this.afterFailedStart();
      return;
    }
    if (this.state !== 'starting') {
      // the debug session ended (or restarted) while the session started
      await session.stop().catch(() => undefined);
      return;
    }
    this.session = session;
    this.state = 'tracing';
    this.sessionEmitter.fire(session);
    this.stepEmitter.fire(this.currentStep);
    const queued = this.queued;
    this.queued = [];
    for (const p of queued) this.pid(p, false);
  }

  private afterFailedStart(): void {
    if (this.state === 'starting') this.state = 'waiting';
    const queued = this.queued;
    this.queued = [];
    // a later pid of the same run gets its own try (the user may have fixed privileges meanwhile)
    for (const p of queued) this.port.release(p);
  }

  private stopped(reason: string): void {
    // paused before any pid came: the adapter will not reveal one by itself
    if (this.state === 'waiting') this.noPidYet();
    const step = this.currentStep;
    if (!step || this.paused) return;
    this.paused = true;
    step.stoppedAt = this.port.now();
    step.reason = reason;
    this.stepEmitter.fire(step);
  }

  private resumed(): void {
    if (!this.paused) return;
    this.paused = false;
    const now = this.port.now();
    const last = this.currentStep;
    if (last) last.to = now;
    this.stepList.push({ index: (last?.index ?? 0) + 1, from: now });
    this.stepEmitter.fire(this.currentStep);
  }

  /** Ends the current Runtime Lens session (debuggee exited, restart, end of the debug session). */
  private async endSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.paused = false;
    if (this.state === 'starting' || this.state === 'tracing') this.state = 'between';
    if (session?.live) await session.stop().catch((e: Error) => this.port.warn(`Runtime Lens could not stop the trace of "${this.name}": ${e.message}`));
  }
}
