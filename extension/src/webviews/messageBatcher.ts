import type { ToWebview } from '../../../webview/src/messages';
import type { Clock } from '../util/clock';

export interface BatcherOptions {
  clock: Clock;
  /** most messages posted in any one-second window (default 30) */
  maxPerSecond?: number;
  /** most events in one 'events' message (a replay of the window is split) */
  maxEventsPerMessage?: number;
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
  /** messages posted so far */
  posted = 0;

  constructor(private readonly post: (message: ToWebview) => void, private readonly options: BatcherOptions) {
    this.maxPerSecond = options.maxPerSecond ?? 30;
    this.maxEventsPerMessage = options.maxEventsPerMessage ?? 10000;
    if (!Number.isInteger(this.maxPerSecond) || this.maxPerSecond < 1) throw new RangeError(`WebviewBatcher: maxPerSecond must be a positive integer, got ${this.maxPerSecond}`);
    if (!Number.isInteger(this.maxEventsPerMessage) || this.maxEventsPerMessage < 1) throw new RangeError(`WebviewBatcher: maxEventsPerMessage must be a positive integer, got ${this.maxEventsPerMessage}`);
  }

  /** Messages waiting for the next flush. */
  get pending(): number {
    return this.queue.length;
  }

  send(message: ToWebview): void {
    if (this.disposed) return;
    const last = this.queue[this.queue.length - 1];
    if (message.type === 'events') {
      if (message.events.length === 0) return;
      if (last?.type === 'events' && last.sessionId === message.sessionId) {
        for (const e of message.events) last.events.push(e);
      } else {
        this.queue.push({ ...message, events: message.events.slice() });
      }
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
    } else if (message.type === 'init') {
      this.queue.length = 0;
      this.queue.push(message);
    } else {
      this.queue.push(message);
    }
    this.schedule();
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
    while (budget > 0 && this.queue.length > 0) {
      let message = this.queue[0];
      if (message.type === 'events' && message.events.length > this.maxEventsPerMessage) {
        message = { ...message, events: message.events.splice(0, this.maxEventsPerMessage) };
      } else {
        this.queue.shift();
      }
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
