import assert from 'node:assert/strict';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { EventStore } from '../../../webview/src/model/eventStore';
import { MATCH_ALL, parseFilter, type CompiledFilter } from '../../../webview/src/model/filter';
import { TableIndex } from '../../../webview/src/model/tableIndex';
import { EVENTS } from './events.fixture';

function filter(src: string): CompiledFilter {
  const r = parseFilter(src);
  if (!r.ok) throw new Error(r.error.message);
  return r.filter;
}

function shown(index: TableIndex, store: EventStore): LensEvent[] {
  return Array.from({ length: index.length }, (_, i) => store.event(index.seqAt(i)));
}

function syscall(ts: number, pid: number): LensEvent {
  return { ts, pid, tid: pid, ppid: 1, uid: 0, comm: `p${pid}`, key: `${pid}:1000`, kind: 'syscall', name: 'read', nr: 0, args: [], ret: pid % 7 - 3, dur_ns: 10 };
}

describe('webview event store and table index', () => {
  it('keeps arrival order under the time sort and shows only matching rows', () => {
    const store = new EventStore();
    const index = new TableIndex(store, filter('kind:open'));
    const r = store.append(EVENTS);
    index.added(r.from, r.to);
    assert.deepEqual(shown(index, store).map((e) => e.ts), [1001, 1002, 1003]);
  });

  it('merges late, out-of-order batches into time order', () => {
    const store = new EventStore();
    const index = new TableIndex(store, MATCH_ALL);
    for (const batch of [[syscall(10, 1), syscall(30, 2)], [syscall(20, 3), syscall(40, 4)], [syscall(5, 5)]]) {
      const r = store.append(batch);
      index.added(r.from, r.to);
    }
    assert.deepEqual(shown(index, store).map((e) => e.ts), [5, 10, 20, 30, 40]);
  });

  it('sorts by pid descending and keeps the order as batches arrive', () => {
    const store = new EventStore();
    const index = new TableIndex(store, MATCH_ALL);
    let r = store.append([syscall(1, 50), syscall(2, 10), syscall(3, 30)]);
    index.added(r.from, r.to);
    index.setSort({ column: 'pid', descending: true });
    r = store.append([syscall(4, 20), syscall(5, 60)]);
    index.added(r.from, r.to);
    assert.deepEqual(shown(index, store).map((e) => e.pid), [60, 50, 30, 20, 10]);
    assert.equal(index.indexOf(r.from), 3); // pid 20 is the fourth row shown
  });

  it('sorts results numerically with result-less events last', () => {
    const store = new EventStore();
    const index = new TableIndex(store, MATCH_ALL, { column: 'result', descending: false });
    const r = store.append(EVENTS);
    index.added(r.from, r.to);
    const results = shown(index, store).map((e) => ('ret' in e ? e.ret : e.kind === 'exit' ? e.exit_code : null));
    assert.deepEqual(results, [-11, -2, 0, 0, 0, 3, 4, 6, 12, null]);
  });

  it('applies kind toggles and a time range', () => {
    const store = new EventStore();
    const index = new TableIndex(store, MATCH_ALL);
    const r = store.append(EVENTS);
    index.added(r.from, r.to);
    index.setScope({ hiddenKinds: new Set(['syscall', 'dns']), timeFrom: 1002, timeTo: 1007 });
    assert.deepEqual(shown(index, store).map((e) => e.ts), [1002, 1003, 1004, 1007]);
  });

  it('drops the oldest tenth when full and the index follows', () => {
    const store = new EventStore(1000);
    const index = new TableIndex(store, MATCH_ALL);
    for (let b = 0; b < 12; b++) {
      const batch = Array.from({ length: 100 }, (_, i) => syscall(b * 100 + i, i));
      const r = store.append(batch);
      if (r.trimmed) index.trimmed();
      index.added(r.from, r.to);
    }
    assert.equal(store.length, 1000);
    assert.equal(store.dropped, 200);
    assert.equal(index.length, 1000);
    assert.equal(store.event(index.seqAt(0)).ts, 200);
    assert.equal(store.event(index.seqAt(999)).ts, 1199);
  });

  it('handles 100k rows in a pid sort with small batches without re-sorting everything', () => {
    const store = new EventStore();
    const index = new TableIndex(store, filter('ret:>=0'), { column: 'pid', descending: false });
    let x = 1;
    const t0 = performance.now();
    for (let b = 0; b < 200; b++) {
      const batch = Array.from({ length: 500 }, (_, i) => { x = (x * 48271) % 2147483647; return syscall(b * 500 + i, x % 5000); });
      const r = store.append(batch);
      index.added(r.from, r.to);
      index.seqAt(0); // a frame is drawn after each batch
    }
    const ms = performance.now() - t0;
    const pids = shown(index, store).map((e) => e.pid);
    for (let i = 1; i < pids.length; i++) assert.ok(pids[i - 1] <= pids[i], `row ${i} out of order`);
    assert.ok(pids.every((p) => p % 7 - 3 >= 0));
    assert.ok(ms < 5000, `100k rows took ${ms.toFixed(0)} ms`);
  });
});
