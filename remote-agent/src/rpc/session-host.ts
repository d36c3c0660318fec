/*
 * One RPC session: a TraceSession plus what the protocol adds on top —
 * event batches (at most every 50 ms or 4096 events), a stats notification
 * every second with the event rate and losses, target output, syscall summary.
 * A batch the connection cannot take (the client is not reading) is dropped
 * whole and its events are counted as lost, by kind, with their reason.
 */
import type { SysAggRow } from '../decode/control';
import type { HostFacts } from '../backend/backend';
import { ErrorCodes, processKey, type ProcessKey, type EventKind, type LensEvent, type SessionState, type SessionStats, type StateNotificationParams, type SyscallSummaryRow } from '../protocol';
import { syscallSummaryRows } from '../output/syscall-summary';
import { SessionError } from '../trace/errors';
import { TraceSession, type LossStats, type SessionOptions } from '../trace/session';
import { eventSink } from '../pipeline/event-sink';
import { EventBatcher } from './event-batcher';

/** Where a session's notifications go (the RPC connection, or a test). */
export interface SessionSink {
  /** false when the batch was not sent (the client is not reading): the session counts it as lost */
  events(sessionId: string, events: LensEvent[]): boolean;
  state(p: StateNotificationParams): void;
  stats(s: SessionStats): void;
  output(sessionId: string, stream: 'stdout' | 'stderr', data: Buffer): void;
  syscallSummary(sessionId: string, rows: SyscallSummaryRow[]): void;
  log(message: string): void;
}

/** Notification batching and stats cadence of the protocol. */
export const BATCH_MS = 50;
export const BATCH_MAX = 4096;
export const STATS_MS = 1000;
/** How long session/stop waits for the probe's last packets before killing it. */
export const STOP_GRACE_MS = 3000;

/** One session served over RPC: the trace plus its batching, counters and summaries. */
export class SessionHost {
  state: SessionState = 'starting';
  private session: TraceSession | undefined;
  private host: HostFacts | undefined;
  private readonly batcher: EventBatcher;
  private statsTimer: NodeJS.Timeout | undefined;
  private readonly counts: Partial<Record<EventKind, number>> = {};
  private total = 0;
  private lastTotal = 0;
  private lastAt = Date.now();
  private rate = 0;
  private loss: LossStats = { events: {}, lost: {}, lostTotal: 0, reasons: {}, queuedBytes: 0 };
  /** events of batches the client could not take, per kind */
  private readonly notRead: Partial<Record<EventKind, number>> = {};
  private notReadTotal = 0;
  private sysagg: SysAggRow[] = [];
  private readonly procComms = new Map<ProcessKey, string>();
  readonly startedAt = Date.now();
  private liveSysagg = false;
  endedAt: number | undefined;
  /** resolves when the probe has exited and every event was sent */
  done: Promise<void> = Promise.resolve();

  constructor(readonly id: string, private readonly sink: SessionSink) {
    this.batcher = new EventBatcher((events) => this.send(events), BATCH_MAX, BATCH_MS);
  }

  /** Starts the trace; rejects with a SessionError when it cannot. */
  async start(opts: Omit<SessionOptions, 'statsMs' | 'sinks'>): Promise<number> {
    let finishedState: StateNotificationParams | undefined;
    this.liveSysagg = opts.events.includes('syscount');
    this.host = opts.backend.host;
    this.session = await TraceSession.start({ ...opts, statsMs: STATS_MS, sinks: [eventSink((batch) => this.batcher.add(batch))] }, {
      state: (state, info) => {
        this.state = state;
        if (state === 'running') this.sink.state({ sessionId: this.id, state });
        else finishedState = { sessionId: this.id, state, ...info }; // sent after the last events
      },
      output: (stream, data) => this.sink.output(this.id, stream, data),
      stats: (s) => { this.loss = s; },
      sysagg: (rows) => { this.sysagg = rows; this.sink.syscallSummary(this.id, this.summary()); },
      warning: (m) => this.sink.log(`session ${this.id}: ${m}`),
    });
    this.state = this.session.state;
    this.statsTimer = setInterval(() => this.sendStats(), STATS_MS);
    this.done = this.session.done.then(() => {
      this.batcher.flush();
      this.endedAt = Date.now();
      clearInterval(this.statsTimer);
      this.sendStats();
      if (finishedState) this.sink.state(finishedState);
    });
    return this.session.pid;
  }

  /** Sends one batch; counts its events as delivered, or as lost when the client could not take it. */
  private send(events: LensEvent[]): void {
    const sent = this.sink.events(this.id, events);
    const counts = sent ? this.counts : this.notRead;
    for (const ev of events) counts[ev.kind] = (counts[ev.kind] ?? 0) + 1;
    if (sent) this.total += events.length;
    else this.notReadTotal += events.length;
  }

  private sendStats(): void {
    if (this.liveSysagg && this.state === 'running') this.refresh(); // the probe answers with STATS and SYSAGG
    const now = Date.now();
    this.rate = Math.round(((this.total - this.lastTotal) * 1000) / Math.max(1, now - this.lastAt));
    this.lastTotal = this.total;
    this.lastAt = now;
    this.sink.stats(this.stats());
  }

  /** Current counters. */
  stats(): SessionStats {
    const lost = { ...this.loss.lost };
    for (const [kind, n] of Object.entries(this.notRead) as [EventKind, number][]) lost[kind] = (lost[kind] ?? 0) + n;
    const lostReasons = { ...this.loss.reasons };
    if (this.notReadTotal) lostReasons.client_not_reading = this.notReadTotal;
    const s: SessionStats = {
      sessionId: this.id, state: this.state, events: { ...this.counts }, total: this.total, rate: this.rate,
      lost, lostTotal: this.loss.lostTotal + this.notReadTotal, lostReasons, startedAt: this.startedAt,
    };
    if (this.loss.lostBound) s.lostBound = this.loss.lostBound;
    if (this.endedAt) s.endedAt = this.endedAt;
    return s;
  }

  /** Per-process, per-syscall rows from the latest in-kernel aggregation. */
  summary(): SyscallSummaryRow[] {
    const e = this.session?.enrichment;
    return syscallSummaryRows(this.sysagg, (nr) => e?.syscallName(nr) ?? `syscall_${nr}`, (pid, startNs) => this.commOf(pid, startNs));
  }

  /**
   * comm of a summarised process (pid + start time): the process table's last known one (exited
   * processes too); without exec events in the session, /proc while the process runs, remembered
   * for after it exited.
   */
  private commOf(pid: number, startNs: number): string {
    const key = processKey(pid, startNs);
    const known = this.session?.enrichment?.processes.commOf(pid, startNs) ?? this.procComms.get(key);
    if (known !== undefined) return known;
    if (this.state !== 'running') return '';
    const comm = this.host?.process(pid)?.comm;
    if (comm !== undefined) this.procComms.set(key, comm);
    return comm ?? '';
  }

  /** Asks the probe for fresh counters (and the syscall aggregation). */
  refresh(): void {
    this.session?.requestStats();
  }

  input(data: Buffer): void {
    this.session?.input(data);
  }

  /** Follows a running process and its descendants from now on (see TraceSession.addProcess). */
  async addProcess(pid: number): Promise<void> {
    if (!this.session) throw new SessionError(ErrorCodes.InvalidRequest, `session ${this.id} has not started`);
    await this.session.addProcess(pid);
  }

  /** Holds the target's output while the client is not reading (see TraceSession.holdOutput). */
  holdOutput(held: boolean): void {
    this.session?.holdOutput(held);
  }

  /**
   * Stops the probe; kills it if its packet stream has not ended after `graceMs` (a healthy probe ends it
   * within milliseconds). Resolves when everything was sent.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (!this.session) return;
    this.session.stop();
    const timer = setTimeout(() => this.session?.kill(), graceMs);
    await this.done;
    clearTimeout(timer);
  }
}
