/*
 * Groups events into notifications: a batch goes out when it reaches
 * `maxEvents` or `maxDelayMs` after its first event, whichever comes first,
 * so a client gets few large messages at high rates and low latency at low ones.
 */
import type { LensEvent } from '../protocol';

/** Timer functions, injectable so tests control time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Batches events for notifications (size or time, whichever first). */
export class EventBatcher {
  private batch: LensEvent[] = [];
  private timer: unknown;

  constructor(
    private readonly send: (events: LensEvent[]) => void,
    private readonly maxEvents = 4096,
    private readonly maxDelayMs = 50,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Adds events; sends every full batch now and schedules the rest. The array may be kept: do not reuse it. */
  add(events: LensEvent[]): void {
    if (this.batch.length === 0) this.batch = events;
    else for (const ev of events) this.batch.push(ev);
    while (this.batch.length >= this.maxEvents) {
      const full = this.batch.length === this.maxEvents;
      this.send(full ? this.batch : this.batch.slice(0, this.maxEvents));
      this.batch = full ? [] : this.batch.slice(this.maxEvents);
    }
    if (this.batch.length === 0) this.cancel();
    else if (this.timer === undefined) this.timer = this.timers.setTimeout(() => { this.timer = undefined; this.flush(); }, this.maxDelayMs);
  }

  /** Sends whatever is waiting. */
  flush(): void {
    this.cancel();
    if (!this.batch.length) return;
    const events = this.batch;
    this.batch = [];
    this.send(events);
  }

  private cancel(): void {
    if (this.timer !== undefined) { this.timers.clearTimeout(this.timer); this.timer = undefined; }
  }
}
