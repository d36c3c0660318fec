import { Emitter, type Event } from 'vscode-jsonrpc';
import type { EventKind, LensEvent, SessionState, SessionStats, SyscallSummaryRow } from '../../../remote-agent/src/protocol';
import type { DebugStepMark, SessionInfo } from '../../../webview/src/messages';
import type { AgentId } from '../agent/agentId';
import type { Clock } from '../util/clock';
import { EventWindow } from './eventWindow';
import { ProcessTree } from '../../../remote-agent/src/model/process-tree';
import type { SessionRecorder, SessionTarget } from './sessionFile';

/** What a session is created with. */
export interface SessionOptions {
  /** extension-side id, stable for the session's life (the agent's id arrives later) */
  id: string;
  title: string;
  target: SessionTarget;
  fromFile: boolean;
  maxEventsInMemory: number;
  clock: Clock;
  /** the agent it runs on (none for a session read from a file) */
  agentId?: AgentId;
  agentLabel?: string;
  /** the remote host it traced on ([user@]host[:port] as connected to); none for this machine */
  host?: string;
  /** where every event is recorded (live sessions), or the file it was read from */
  file?: string;
}

/** Program output of a launched session, decoded from the agent's base64. */
export interface SessionOutput {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

const FINAL_STATES: readonly SessionState[] = ['exited', 'stopped', 'failed', 'disconnected'];

/** Most time new events wait before the session tells its views that its counts changed. */
export const COUNTS_MS = 100;

/**
 * One tracing session, live or reopened from a file: its state, stats, the
 * bounded window of recent events, the process tree, and (live) the recorder
 * that keeps every event on disk.
 */
export class Session {
  readonly id: string;
  readonly title: string;
  readonly target: SessionTarget;
  readonly fromFile: boolean;
  readonly agentId: AgentId | undefined;
  readonly agentLabel: string | undefined;
  readonly host: string | undefined;
  readonly window: EventWindow;
  readonly processes = new ProcessTree();
  file: string | undefined;
  /** the session's id on its agent: unique only together with agentId */
  agentSessionId: string | undefined;
  /** the launched or attached process, from the agent's start reply */
  targetPid: number | undefined;
  recorder: SessionRecorder | undefined;
  state: SessionState = 'starting';
  exitCode: number | undefined;
  signal: string | undefined;
  /** why the session failed, or a problem that happened during it (e.g. the file could not be written) */
  message: string | undefined;
  /**
   * Counters of the session. `events` and `total` count the events that reached
   * this session (what every view shows: the Sessions view, the status bar, the
   * events table); rate, losses and times come from the agent.
   */
  stats: SessionStats;
  /** events the agent says it sent (its latest stats); more than `stats.total` only if some never arrived */
  agentTotal = 0;
  summary: SyscallSummaryRow[] = [];
  /** the user asked to stop it; the agent's final state is still to come */
  stopRequested = false;
  /** new events are counted but the views were not told yet */
  private countsTimer: unknown;

  private readonly changeEmitter = new Emitter<Session>();
  private readonly eventsEmitter = new Emitter<LensEvent[]>();
  private readonly outputEmitter = new Emitter<SessionOutput>();
  private readonly processesEmitter = new Emitter<Session>();
  private readonly summaryEmitter = new Emitter<SyscallSummaryRow[]>();
  private readonly stepsEmitter = new Emitter<readonly DebugStepMark[]>();
  /** the steps of a traced debug session's run (none for other sessions) */
  steps: readonly DebugStepMark[] = [];
  /** state, stats or message changed */
  readonly onDidChange: Event<Session> = this.changeEmitter.event;
  readonly onDidAddEvents: Event<LensEvent[]> = this.eventsEmitter.event;
  readonly onDidOutput: Event<SessionOutput> = this.outputEmitter.event;
  readonly onDidChangeProcesses: Event<Session> = this.processesEmitter.event;
  readonly onDidChangeSummary: Event<SyscallSummaryRow[]> = this.summaryEmitter.event;
  /** the debug run stopped or went on (steps) */
  readonly onDidChangeSteps: Event<readonly DebugStepMark[]> = this.stepsEmitter.event;

  constructor(private readonly options: SessionOptions) {
    this.id = options.id;
    this.title = options.title;
    this.target = options.target;
    this.fromFile = options.fromFile;
    this.agentId = options.agentId;
    this.agentLabel = options.agentLabel;
    this.host = options.host;
    this.file = options.file;
    this.window = new EventWindow(options.maxEventsInMemory);
    // an attached process has no exec in the session: name it by the command line it was picked with
    if (options.target.kind === 'attach' && options.target.cmdline) this.processes.setCommandLine(options.target.pid, options.target.cmdline);
    const now = options.clock.now();
    this.stats = { sessionId: options.id, state: 'starting', events: {}, total: 0, rate: 0, lost: {}, lostTotal: 0, startedAt: now };
  }

  /** true while the agent may still send events */
  get live(): boolean {
    return !this.fromFile && !FINAL_STATES.includes(this.state);
  }

  /** The webview's view of this session. */
  info(): SessionInfo {
    return { id: this.id, title: this.title, state: this.state, fromFile: this.fromFile, ...(this.host ? { host: this.host } : {}) };
  }

  addEvents(events: readonly LensEvent[]): void {
    if (events.length === 0) return;
    this.window.push(events);
    this.recorder?.write(events);
    for (const e of events) this.stats.events[e.kind as EventKind] = (this.stats.events[e.kind as EventKind] ?? 0) + 1;
    this.stats.total += events.length;
    if (this.processes.apply(events)) this.processesEmitter.fire(this);
    this.eventsEmitter.fire(events as LensEvent[]);
    // one change per COUNTS_MS: every view repaints its count from the same stats at the same time
    this.countsTimer ??= this.options.clock.setTimeout(() => {
      this.countsTimer = undefined;
      this.changed();
    }, COUNTS_MS);
  }

  /** Takes the agent's rate, losses and times; the event counts stay those of the events received. */
  setStats(stats: SessionStats): void {
    this.agentTotal = stats.total;
    this.stats = { ...stats, sessionId: this.id, events: this.stats.events, total: this.stats.total };
    if (FINAL_STATES.includes(stats.state) && !this.fromFile && stats.total > this.stats.total) {
      const missing = `The agent sent ${stats.total} events; ${stats.total - this.stats.total} of them did not reach VS Code (see Runtime Lens: Show Log).`;
      this.message = this.message ? `${this.message} ${missing}` : missing;
    }
    this.changed();
  }

  /** Tells the views that state or counts changed (pending new-event counts included). */
  private changed(): void {
    if (this.countsTimer !== undefined) this.options.clock.clearTimeout(this.countsTimer);
    this.countsTimer = undefined;
    this.changeEmitter.fire(this);
  }

  setSteps(steps: readonly DebugStepMark[]): void {
    this.steps = steps;
    this.stepsEmitter.fire(steps);
  }

  setSummary(rows: SyscallSummaryRow[]): void {
    this.summary = rows;
    // kept in the session file, so a reopened session shows it too
    this.recorder?.writeSummary(rows, this.options.clock.now());
    this.summaryEmitter.fire(rows);
  }

  output(stream: 'stdout' | 'stderr', base64: string): void {
    this.outputEmitter.fire({ stream, data: Buffer.from(base64, 'base64') });
  }

  /** Moves to a new state; a final state is never left again. Returns false if ignored. */
  setState(state: SessionState, details: { exitCode?: number; signal?: string; message?: string } = {}): boolean {
    if (!this.live && !this.fromFile) return false;
    this.state = state;
    this.stats.state = state;
    if (details.exitCode !== undefined) this.exitCode = details.exitCode;
    if (details.signal !== undefined) this.signal = details.signal;
    if (details.message !== undefined) this.message = details.message;
    if (FINAL_STATES.includes(state)) this.stats.endedAt ??= this.options.clock.now();
    this.changed();
    return true;
  }

  /** The user asked to stop it: shown as "stopping…" until the agent's final state arrives. */
  markStopping(): void {
    if (!this.live || this.stopRequested) return;
    this.stopRequested = true;
    this.changed();
  }

  /** Records a problem that does not end the session (shown in the Sessions view). */
  setProblem(message: string): void {
    this.message = message;
    this.changed();
  }

  /** One line describing the state, e.g. "exited (code 0)". */
  stateLabel(): string {
    switch (this.state) {
      case 'exited':
        return this.signal ? `exited (${this.signal})` : `exited (code ${this.exitCode ?? '?'})`;
      case 'failed':
        return 'failed';
      case 'stopped': {
        const how = this.stopOutcome();
        return how ? `stopped: ${how}` : 'stopped';
      }
      case 'running':
        return this.stopRequested ? 'stopping…' : 'running';
      default:
        return this.state;
    }
  }

  /**
   * What the user's Stop did to the traced program, once the session has stopped:
   * the agent ends a launched program (SIGTERM, as strace does) and leaves an attached one running.
   */
  stopOutcome(): string | undefined {
    if (this.state !== 'stopped' || !this.stopRequested || this.fromFile) return undefined;
    return this.target.kind === 'launch' ? 'killed by Runtime Lens (SIGTERM)' : 'detached by Runtime Lens; the process keeps running';
  }

  dispose(): void {
    if (this.countsTimer !== undefined) this.options.clock.clearTimeout(this.countsTimer);
    this.countsTimer = undefined;
    this.changeEmitter.dispose();
    this.eventsEmitter.dispose();
    this.outputEmitter.dispose();
    this.processesEmitter.dispose();
    this.summaryEmitter.dispose();
    this.stepsEmitter.dispose();
  }
}
