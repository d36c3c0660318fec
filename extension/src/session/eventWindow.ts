import type { LensEvent } from '../../../remote-agent/src/protocol';

/**
 * The most recent `capacity` events of a session, in arrival order (a ring
 * buffer). Older events are evicted from memory only; the session file keeps
 * every event, and `evicted` says how many are no longer in memory.
 */
export class EventWindow {
  private readonly buffer: (LensEvent | undefined)[];
  private start = 0;
  size = 0;
  evicted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`EventWindow: capacity must be a positive integer, got ${capacity}`);
    }
    this.buffer = new Array<LensEvent | undefined>(capacity);
  }

  push(events: readonly LensEvent[]): void {
    for (const e of events) {
      if (this.size < this.capacity) {
        this.buffer[(this.start + this.size) % this.capacity] = e;
        this.size++;
      } else {
        this.buffer[this.start] = e;
        this.start = (this.start + 1) % this.capacity;
        this.evicted++;
      }
    }
  }

  /** Events in memory, oldest first. */
  toArray(): LensEvent[] {
    const out = new Array<LensEvent>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.buffer[(this.start + i) % this.capacity] as LensEvent;
    return out;
  }

  /** Events in memory in chunks of at most `chunk`, oldest first. */
  *chunks(chunk: number): Generator<LensEvent[]> {
    const all = this.toArray();
    for (let i = 0; i < all.length; i += chunk) yield all.slice(i, i + chunk);
  }
}
