/*
 * A FIFO of bytes in one growable buffer: appending is amortised O(1) and the
 * unread bytes are always one contiguous view, so a reader can search across
 * chunk boundaries without concatenating every chunk again.
 */

/** Above this, an emptied queue gives its storage back. */
const KEEP_BYTES = 1024 * 1024;

/** Contiguous byte FIFO for a framing reader. */
export class ByteQueue {
  private store = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  /** The unread bytes (valid until the next push). */
  view(): Buffer {
    return this.store.subarray(this.start, this.end);
  }

  push(chunk: Buffer): void {
    if (this.end + chunk.length > this.store.length) {
      const live = this.length;
      if (live + chunk.length <= this.store.length / 2) {
        this.store.copy(this.store, 0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(live + chunk.length, this.store.length * 2, 4096));
        this.store.copy(grown, 0, this.start, this.end);
        this.store = grown;
      }
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.store, this.end);
    this.end += chunk.length;
  }

  /** Discards the first `n` bytes. */
  drop(n: number): void {
    this.start = Math.min(this.end, this.start + n);
    if (this.start < this.end) return;
    this.start = this.end = 0;
    if (this.store.length > KEEP_BYTES) this.store = Buffer.alloc(0);
  }
}
