import type { ToWebview } from '../../../webview/src/messages';
import type { Clock } from '../util/clock';

export interface BatcherOptions {
  clock: Clock;
  /** most messages posted in any one-second window (default 30) */
  maxPerSecond?: number;
  /** most events in one 'events' message (a replay of the window is split) */
  maxEventsPerMessage?: number;
  /** most events waiting to be posted; beyond it the oldest waiting ones are dropped from the view and counted */
  maxQueuedEvents?: number;
}

/** Message types that a 'reset' makes moot. */
const CONTENT = new Set<ToWebview['type']>(['events', 'stats', 'state', 'summary', 'reset']);

/** Messages one flush may post. */
const PER_FLUSH = 2;

/**
 * Sends messages to one webview in batches: events queued between flushes are
 * coalesced into one 'events' message, stats/state/summary keep only their
 * latest value, and no more than `maxPerSecond` messages are posted in any
 * one-second window. Order is kept (a 'reset' is never overtaken by events).
 */
export class WebviewBatcher {
  private readonly queue: ToWebview[] = [];
  private readonly sent: number[] = [];
  private timer: unknown;
  private disposed = false;
  private readonly maxPerSecond: number;
  private readonly maxEventsPerMessage: number;
  /** most events waiting to be posted (raised by a panel to fit a replay of a larger window) */
  maxQueuedEvents: number;
  private queuedEvents = 0;
  /** events dropped from this view because they arrived faster than it could take them */
  dropped = 0;
  private droppedSinceNotice = 0;
  /** messages posted so far */
  posted = 0;

  constructor(private readonly post: (message: ToWebview) => void, private readonly options: BatcherOptions) {
    this.maxPerSecond = options.maxPerSecond ?? 30;
    this.maxEventsPerMessage = options.maxEventsPerMessage ?? 10000;
    this.maxQueuedEvents = options.maxQueuedEvents ?? 200000;
    if (!Number.isInteger(this.maxPerSecond) || this.maxPerSecond < 1) throw new RangeError(`WebviewBatcher: maxPerSecond must be a positive integer, got ${this.maxPerSecond}`);
    if (!Number.isInteger(this.maxEventsPerMessage) || this.maxEventsPerMessage < 1) throw new RangeError(`WebviewBatcher: maxEventsPerMessage must be a positive integer, got ${this.maxEventsPerMessage}`);
  }

  /** Messages waiting for the next flush. */
  get pending(): number {
    return this.queue.length;
  }

  send(message: ToWebview): void {
    if (this.disposed) return;
    if (message.type === 'events') {
      if (message.events.length === 0) return;
      // join the latest waiting events of this session unless a reset came after them
      let target: (ToWebview & { type: 'events' }) | undefined;
      for (let i = this.queue.length - 1; i >= 0; i--) {
        const m = this.queue[i];
        if (m.type === 'reset' || m.type === 'init') break;
        if (m.type === 'events') {
          if (m.sessionId === message.sessionId) target = m;
          break;
        }
      }
      if (target) {
        for (const e of message.events) target.events.push(e);
      } else {
        this.queue.push({ ...message, events: message.events.slice() });
      }
      this.queuedEvents += message.events.length;
      if (this.queuedEvents > this.maxQueuedEvents) this.shed(this.queuedEvents - this.maxQueuedEvents);
    } else if (message.type === 'stats' || message.type === 'state' || message.type === 'summary') {
      const i = this.queue.findIndex((m) => m.type === message.type);
      // replace in place only when nothing that resets the view came after it
      if (i >= 0 && !this.queue.slice(i + 1).some((m) => m.type === 'reset' || m.type === 'init')) this.queue[i] = message;
      else this.queue.push(message);
    } else if (message.type === 'reset') {
      // content queued for what is being reset is moot; init, selection and errors stay
      const keep = this.queue.filter((m) => !CONTENT.has(m.type));
      this.queue.length = 0;
      this.queue.push(...keep, message);
      this.queuedEvents = 0;
    } else if (message.type === 'init') {
      this.queue.length = 0;
      this.queue.push(message);
      this.queuedEvents = 0;
    } else {
      this.queue.push(message);
    }
    this.schedule();
  }

  /** Drops the oldest `n` waiting events (the view falls behind a burst), counted and reported to the view. */
  private shed(n: number): void {
    let left = n;
    for (const m of this.queue) {
      if (left === 0) break;
      if (m.type !== 'events') continue;
      const cut = Math.min(left, m.events.length);
      m.events.splice(0, cut);
      left -= cut;
    }
    const removed = n - left;
    this.queuedEvents -= removed;
    this.dropped += removed;
    this.droppedSinceNotice += removed;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const m = this.queue[i];
      if (m.type === 'events' && m.events.length === 0) this.queue.splice(i, 1);
    }
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0 || this.disposed) return;
    const now = this.options.clock.now();
    // each flush may post up to two messages (events + stats), so flushes are twice as far apart
    const interval = (PER_FLUSH * 1000) / this.maxPerSecond;
    const lastSent = this.sent[this.sent.length - 1];
    let wait = lastSent === undefined ? 0 : Math.max(0, lastSent + interval - now);
    if (this.sent.length >= this.maxPerSecond) wait = Math.max(wait, this.sent[this.sent.length - this.maxPerSecond] + 1000 - now);
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, Math.ceil(wait));
  }

  /** Posts what the rate allows now; the rest waits for the next flush. */
  private flush(): void {
    if (this.disposed) return;
    const now = this.options.clock.now();
    while (this.sent.length > 0 && this.sent[0] <= now - 1000) this.sent.shift();
    let budget = Math.min(PER_FLUSH, this.maxPerSecond - this.sent.length);
    if (this.droppedSinceNotice > 0 && budget > 0) {
      const message: ToWebview = { type: 'error', message: `${this.droppedSinceNotice} events arrived faster than this view could show them and were skipped here (${this.dropped} in all); every event is in the session file.` };
      this.droppedSinceNotice = 0;
      this.sent.push(now);
      this.posted++;
      budget--;
      this.post(message);
    }
    while (budget > 0 && this.queue.length > 0) {
      let message = this.queue[0];
      if (message.type === 'events' && message.events.length > this.maxEventsPerMessage) {
        message = { ...message, events: message.events.splice(0, this.maxEventsPerMessage) };
      } else {
        this.queue.shift();
      }
      if (message.type === 'events') this.queuedEvents -= message.events.length;
      this.sent.push(now);
      this.posted++;
      budget--;
      this.post(message);
    }
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
