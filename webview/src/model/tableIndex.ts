/*
 * The events table's row order: which stored events pass the filter, kind
 * toggles and time range, in the chosen sort order. New rows are tested as they
 * arrive and kept in a small pending buffer; before a frame is drawn the buffer
 * is sorted and merged into the index (O(n + k)), so a batch never triggers a
 * full re-sort. Changing the filter or the sort column rebuilds once.
 */
import type { EventStore } from './eventStore';
import type { CompiledFilter } from './filter';

export type SortColumn = 'time' | 'pid' | 'comm' | 'kind' | 'summary' | 'source' | 'result';
export const SORT_COLUMNS: readonly SortColumn[] = ['time', 'pid', 'comm', 'kind', 'summary', 'source', 'result'];

export interface SortSpec {
  column: SortColumn;
  descending: boolean;
}

type Compare = (a: number, b: number) => number;

function comparator(store: EventStore, column: SortColumn): Compare {
  // Ties fall back to arrival order so the sort is stable and deterministic.
  const tie = (a: number, b: number) => a - b;
  switch (column) {
    case 'time': return (a, b) => store.ts(a) - store.ts(b) || tie(a, b);
    case 'pid': return (a, b) => store.pid(a) - store.pid(b) || tie(a, b);
    case 'kind': return (a, b) => store.kindCode(a) - store.kindCode(b) || tie(a, b);
    case 'comm': return (a, b) => cmpStr(store.event(a).comm, store.event(b).comm) || tie(a, b);
    case 'summary': return (a, b) => cmpStr(store.summary(a), store.summary(b)) || tie(a, b);
    case 'source': return (a, b) => {
      // by file, then line; events without a source after those with one
      const x = store.event(a).source;
      const y = store.event(b).source;
      if (!x || !y) return (x ? 0 : 1) - (y ? 0 : 1) || tie(a, b);
      return cmpStr(x.file, y.file) || x.line - y.line || tie(a, b);
    };
    case 'result': return (a, b) => {
      const x = store.result(a);
      const y = store.result(b);
      // Events without a result sort after those with one.
      if (Number.isNaN(x) || Number.isNaN(y)) return (Number.isNaN(x) ? 1 : 0) - (Number.isNaN(y) ? 1 : 0) || tie(a, b);
      return x - y || tie(a, b);
    };
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A visible-row predicate beyond the text filter: kind toggles and the timeline's range. */
export interface RowScope {
  hiddenKinds: ReadonlySet<string>;
  timeFrom: number | null;
  timeTo: number | null;
}

/** Why it exists: map a display row number to a stored event cheaply, whatever the filter and sort. */
export class TableIndex {
  /** sequence numbers in ascending sort order */
  private rows = new Uint32Array(1024);
  private size = 0;
  private pending: number[] = [];
  private compare: Compare;

  constructor(
    private readonly store: EventStore,
    private filter: CompiledFilter,
    private sort: SortSpec = { column: 'time', descending: false },
    private scope: RowScope = { hiddenKinds: new Set(), timeFrom: null, timeTo: null },
  ) {
    this.compare = comparator(store, sort.column);
    this.rebuild();
  }

  get sortSpec(): SortSpec { return this.sort; }

  /** Rows that pass, including pending ones not yet merged. */
  get length(): number { return this.size + this.pending.length; }

  matches(seq: number): boolean {
    const e = this.store.event(seq);
    const { hiddenKinds, timeFrom, timeTo } = this.scope;
    if (hiddenKinds.size && hiddenKinds.has(e.kind)) return false;
    if (timeFrom !== null && e.ts < timeFrom) return false;
    if (timeTo !== null && e.ts > timeTo) return false;
    return this.filter.test(e, () => this.store.searchText(seq));
  }

  /** Test new rows [from, to) and queue those that pass. */
  added(from: number, to: number): void {
    for (let s = from; s < to; s++) if (this.matches(s)) this.pending.push(s);
  }

  /** Drop rows the store no longer holds (after it trimmed its front). */
  trimmed(): void {
    this.flush();
    const first = this.store.firstSeq;
    let w = 0;
    for (let r = 0; r < this.size; r++) if (this.rows[r] >= first) this.rows[w++] = this.rows[r];
    this.size = w;
  }

  setFilter(filter: CompiledFilter): void { this.filter = filter; this.rebuild(); }
  setScope(scope: RowScope): void { this.scope = scope; this.rebuild(); }

  setSort(sort: SortSpec): void {
    const columnChanged = sort.column !== this.sort.column;
    this.sort = sort;
    if (columnChanged) {
      this.compare = comparator(this.store, sort.column);
      this.flush();
      const sorted = Array.from(this.rows.subarray(0, this.size)).sort(this.compare);
      this.rows.set(sorted);
    }
  }

  /** Sequence number shown at display row `i` (merges pending rows first). */
  seqAt(i: number): number {
    this.flush();
    return this.sort.descending ? this.rows[this.size - 1 - i] : this.rows[i];
  }

  /** Display row of a sequence number, or -1 when it is filtered out. */
  indexOf(seq: number): number {
    this.flush();
    // Binary search by the sort comparator (rows are unique and totally ordered).
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(this.rows[mid], seq);
      if (c === 0) return this.sort.descending ? this.size - 1 - mid : mid;
      if (c < 0) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  /** Merge pending rows into the sorted index. */
  flush(): void {
    const k = this.pending.length;
    if (k === 0) return;
    const pending = this.pending;
    this.pending = [];
    pending.sort(this.compare);
    this.ensure(this.size + k);
    const n = this.size;
    // Fast path: everything new sorts after what is there (time order, mostly).
    if (n === 0 || this.compare(this.rows[n - 1], pending[0]) < 0) {
      for (let j = 0; j < k; j++) this.rows[n + j] = pending[j];
      this.size = n + k;
      return;
    }
    // Merge from the back, in place.
    let i = n - 1;
    let j = k - 1;
    let w = n + k - 1;
    while (j >= 0) {
      if (i >= 0 && this.compare(this.rows[i], pending[j]) > 0) this.rows[w--] = this.rows[i--];
      else this.rows[w--] = pending[j--];
    }
    this.size = n + k;
  }

  private rebuild(): void {
    this.pending = [];
    this.size = 0;
    this.ensure(this.store.length);
    const end = this.store.endSeq;
    for (let s = this.store.firstSeq; s < end; s++) if (this.matches(s)) this.rows[this.size++] = s;
    if (this.sort.column !== 'time' || !this.isSorted()) {
      const sorted = Array.from(this.rows.subarray(0, this.size)).sort(this.compare);
      this.rows.set(sorted);
    }
  }

  private isSorted(): boolean {
    for (let r = 1; r < this.size; r++) if (this.compare(this.rows[r - 1], this.rows[r]) > 0) return false;
    return true;
  }

  private ensure(n: number): void {
    if (n <= this.rows.length) return;
    let cap = this.rows.length;
    while (cap < n) cap *= 2;
    const b = new Uint32Array(cap);
    b.set(this.rows.subarray(0, this.size));
    this.rows = b;
  }
}
