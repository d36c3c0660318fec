/*
 * Append-only, bounded store of the events a webview holds. Hot fields live
 * in typed-array columns so sorting and time filtering touch no objects;
 * summaries are computed on first use and cached. Rows are addressed by a
 * sequence number that never changes, so indexes survive trimming the front.
 */
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { ALL_KINDS, resultValue, summarize } from './eventText';

const KIND_CODE = new Map<string, number>(ALL_KINDS.map((k, i) => [k, i]));
const UNKNOWN_KIND = 255;

/** Why the store exists: hold 100k+ events compactly and answer per-column reads fast. */
export class EventStore {
  /** sequence number of the oldest row still held */
  private base = 0;
  private count = 0;
  private events: LensEvent[] = [];
  private summaries: Array<string | undefined> = [];
  private tsCol = new Float64Array(1024);
  private pidCol = new Int32Array(1024);
  private kindCol = new Uint8Array(1024);
  private resultCol = new Float64Array(1024);
  /** events dropped from the front because the store was full */
  dropped = 0;

  constructor(readonly maxRows = 500_000) {
    if (!Number.isInteger(maxRows) || maxRows < 1000) throw new RangeError(`EventStore: maxRows must be an integer ≥ 1000, got ${maxRows}`);
  }

  /** Number of rows held. */
  get length(): number { return this.count; }
  /** Sequence number of the oldest row held. */
  get firstSeq(): number { return this.base; }
  /** Sequence number the next appended row will get. */
  get endSeq(): number { return this.base + this.count; }

  /**
   * Append a batch; returns the sequence range [from, to) of the new rows and how
   * many old rows were dropped to make room (their sequence numbers are gone).
   */
  append(batch: readonly LensEvent[]): { from: number; to: number; trimmed: number } {
    let trimmed = 0;
    if (this.count + batch.length > this.maxRows) {
      // Drop a tenth at a time so trimming is rare and amortised.
      const need = this.count + batch.length - this.maxRows;
      trimmed = Math.min(this.count, Math.max(need, Math.floor(this.maxRows / 10)));
      this.trimFront(trimmed);
    }
    this.ensure(this.count + batch.length);
    const from = this.base + this.count;
    let r = this.count;
    for (const e of batch) {
      this.events[r] = e;
      this.summaries[r] = undefined;
      this.tsCol[r] = e.ts;
      this.pidCol[r] = e.pid;
      this.kindCol[r] = KIND_CODE.get(e.kind) ?? UNKNOWN_KIND;
      this.resultCol[r] = resultValue(e);
      r++;
    }
    this.count = r;
    return { from, to: this.base + this.count, trimmed };
  }

  /** Forget everything (another session selected). */
  clear(): void {
    this.base += this.count;
    this.count = 0;
    this.events = [];
    this.summaries = [];
    this.dropped = 0;
  }

  has(seq: number): boolean { return seq >= this.base && seq < this.base + this.count; }
  event(seq: number): LensEvent { return this.events[seq - this.base]; }
  ts(seq: number): number { return this.tsCol[seq - this.base]; }
  pid(seq: number): number { return this.pidCol[seq - this.base]; }
  kindCode(seq: number): number { return this.kindCol[seq - this.base]; }
  result(seq: number): number { return this.resultCol[seq - this.base]; }

  summary(seq: number): string {
    const r = seq - this.base;
    let s = this.summaries[r];
    if (s === undefined) {
      s = summarize(this.events[r]);
      this.summaries[r] = s;
    }
    return s;
  }

  /** Text a free-text filter searches: comm, pid, kind and summary. */
  searchText(seq: number): string {
    const e = this.event(seq);
    return `${e.comm} ${e.pid} ${e.kind} ${this.summary(seq)}`;
  }

  /** Sequence number of the first event with this selection key, or -1. */
  findKey(key: string, keyOf: (e: LensEvent) => string): number {
    for (let r = this.count - 1; r >= 0; r--) if (keyOf(this.events[r]) === key) return this.base + r;
    return -1;
  }

  private ensure(n: number): void {
    if (n <= this.tsCol.length) return;
    let cap = this.tsCol.length;
    while (cap < n) cap *= 2;
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.tsCol = grow(this.tsCol, (c) => new Float64Array(c));
    this.pidCol = grow(this.pidCol, (c) => new Int32Array(c));
    this.kindCol = grow(this.kindCol, (c) => new Uint8Array(c));
    this.resultCol = grow(this.resultCol, (c) => new Float64Array(c));
  }

  private trimFront(n: number): void {
    this.tsCol.copyWithin(0, n, this.count);
    this.pidCol.copyWithin(0, n, this.count);
    this.kindCol.copyWithin(0, n, this.count);
    this.resultCol.copyWithin(0, n, this.count);
    this.events.splice(0, n);
    this.summaries.splice(0, n);
    this.count -= n;
    this.base += n;
    this.dropped += n;
  }
}
