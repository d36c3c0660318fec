import assert from 'node:assert/strict';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { summarize } from '../../../webview/src/model/eventText';
import { NetworkGraphModel } from '../../../webview/src/model/networkGraph';
import { LatencyHistogram } from '../../../webview/src/model/percentiles';
import { activityLevel, hierarchy, type TreeDatum, webviewProcessTree } from '../../../webview/src/model/processTree';
import { SyscallStats } from '../../../webview/src/model/syscallStats';
import { TimelineModel } from '../../../webview/src/model/timelineLanes';
import { EVENTS } from './events.fixture';

const b = (ts: number, pid: number, comm: string, ppid: number) => ({ ts, pid, tid: pid, ppid, uid: 0, comm, key: `${pid}:1000` });

function shape(d: TreeDatum | null): unknown {
  if (!d) return null;
  const label = `${d.node.comm}:${d.node.pid}${d.node.exitCode !== undefined ? `=${d.node.exitCode}` : ''}${d.hiddenChildren ? `+${d.hiddenChildren}` : ''}`;
  return d.children ? [label, ...d.children.map(shape)] : label;
}

describe('webview process tree model', () => {
  const events: LensEvent[] = [
    { ...b(1, 10, 'bash', 1), kind: 'fork', child_pid: 11, thread: false, child_key: '11:1000' },
    { ...b(2, 11, 'bash', 10), kind: 'exec', filename: '/usr/bin/make', argv: ['make', 'all'], cwd: '/src', ret: 0 },
    { ...b(3, 11, 'make', 10), kind: 'fork', child_pid: 12, thread: false, child_key: '12:1000' },
    { ...b(3.5, 11, 'make', 10), kind: 'fork', child_pid: 13, thread: true },
    { ...b(4, 12, 'make', 11), kind: 'exec', filename: '/usr/bin/cc', argv: ['/usr/bin/cc', '-c', 'a.c'], cwd: '/src', ret: 0 },
    { ...b(5, 12, 'cc', 11), kind: 'open', syscall: 'openat', path: '/src/a.h', flags: 'O_RDONLY', ret: -2, errno: 'ENOENT' },
    { ...b(6, 12, 'cc', 11), kind: 'exit', exit_code: 1 },
    { ...b(7, 11, 'make', 10), kind: 'exit', exit_code: 2 },
  ];

  it('builds ancestry from fork and exec, names processes by their exec, records exit codes, ignores threads', () => {
    const m = webviewProcessTree();
    m.apply(events);
    assert.deepEqual(shape(hierarchy(m, new Set())), ['bash:10', ['make:11=2', 'cc:12=1']]);
    assert.deepEqual(m.get('11:1000')?.argv, ['make', 'all']);
    assert.equal(m.get('12:1000')?.errors, 2); // ENOENT and exit 1
  });

  it('collapses a node and counts its hidden children', () => {
    const m = webviewProcessTree();
    m.apply(events);
    assert.deepEqual(shape(hierarchy(m, new Set(['11:1000']))), ['bash:10', 'make:11=2+1']);
    assert.equal(hierarchy(m, new Set())?.subtreeEvents, events.length);
  });

  it('puts several roots under one synthetic session node', () => {
    const m = webviewProcessTree();
    m.apply(EVENTS);
    const root = hierarchy(m, new Set());
    assert.equal(root?.node.pid, 100); // 101 and 102 descend from 100
    m.apply([{ ...b(2000, 500, 'other', 400), kind: 'exit', exit_code: 0 }]);
    assert.equal(hierarchy(m, new Set())?.node.comm, 'session');
  });

  it('an event after a process\'s exit (tcp_close) keeps it exited, with no extra node', () => {
    const m = webviewProcessTree();
    m.apply([
      { ...b(1, 10, 'bash', 1), kind: 'fork', child_pid: 11, thread: false, child_key: '11:1000' },
      { ...b(1.5, 11, 'bash', 10), kind: 'exec', filename: '/usr/bin/curl', argv: ['curl', 'x'], cwd: '/', ret: 0 },
      { ...b(2, 11, 'curl', 10), kind: 'exit', exit_code: 0 },
      { ...b(3, 11, 'curl', 10), kind: 'tcp_close', family: 'AF_INET', saddr: '10.0.0.1', sport: 4000, daddr: '10.0.0.2', dport: 443, bytes_sent: 1, bytes_received: 2 },
    ]);
    assert.deepEqual(shape(hierarchy(m, new Set())), ['bash:10', 'curl:11=0']);
    assert.equal(m.get('11:1000')?.events, 3);
  });

  it('a reused pid is two processes, each with its own name, exit code and events', () => {
    const m = webviewProcessTree();
    const first = { ...b(2, 11, 'bash', 10), key: '11:2000', pkey: '10:1000' };
    const second = { ...b(5, 11, 'bash', 10), key: '11:5000', pkey: '10:1000' };
    m.apply([
      { ...b(1, 10, 'bash', 1), kind: 'fork', child_pid: 11, thread: false, child_key: '11:2000' },
      { ...first, kind: 'exec', filename: '/usr/bin/curl', argv: ['curl', 'x'], cwd: '/', ret: 0 },
      { ...first, ts: 3, kind: 'exit', exit_code: 7 },
      { ...b(4, 10, 'bash', 1), kind: 'fork', child_pid: 11, thread: false, child_key: '11:5000' },
      { ...second, kind: 'exec', filename: '/usr/bin/ls', argv: ['ls'], cwd: '/', ret: 0 },
      { ...second, ts: 6, kind: 'open', syscall: 'openat', path: '/', flags: 'O_RDONLY', ret: 3 },
      { ...first, ts: 7, kind: 'tcp_close', family: 'AF_INET', saddr: '10.0.0.1', sport: 4000, daddr: '10.0.0.2', dport: 443, bytes_sent: 1, bytes_received: 2 },
    ]);
    assert.deepEqual(shape(hierarchy(m, new Set())), ['bash:10', 'curl:11=7', 'ls:11']);
    assert.deepEqual([m.get('11:2000')?.events, m.get('11:5000')?.events], [3, 2]);
  });

  it('grades activity on a log scale', () => {
    assert.equal(activityLevel(0, 1000), 0);
    assert.equal(activityLevel(1, 1000), 1);
    assert.equal(activityLevel(1000, 1000), 4);
    assert.ok(activityLevel(30, 1000) < activityLevel(300, 1000));
  });
});

describe('webview network graph model', () => {
  it('links processes to endpoints labelled with DNS names, weighted by connections and bytes', () => {
    const m = new NetworkGraphModel();
    m.addEvents(EVENTS);
    m.addEvents([
      { ...b(1, 102, 'curl', 101), kind: 'connect', family: 'AF_INET', saddr: '10.0.0.1', sport: 40001, daddr: '93.184.216.34', dport: 443, fd: 6, ret: 0 },
      { ...b(2, 102, 'curl', 101), kind: 'connect', family: 'AF_INET', saddr: '10.0.0.1', sport: 40002, daddr: '10.9.9.9', dport: 80, fd: 7, ret: -111, errno: 'ECONNREFUSED' },
    ]);
    const g = m.graph();
    const labels = g.nodes.map((n) => n.label).sort();
    assert.deepEqual(labels, ['10.9.9.9:80', 'curl (102)', 'example.com:443']);
    const toExample = g.links.find((l) => l.target === 'e:93.184.216.34:443')!;
    assert.equal(toExample.connections, 2);
    assert.equal(toExample.bytes, 5100);
    assert.equal(g.links.find((l) => l.target === 'e:10.9.9.9:80')!.failures, 1);
  });

  it('a reused pid is another process node', () => {
    const m = new NetworkGraphModel();
    const conn = { kind: 'connect' as const, family: 'AF_INET', saddr: '10.0.0.1', sport: 40001, daddr: '10.0.0.2', dport: 80, fd: 6, ret: 0 };
    m.addEvents([{ ...b(1, 102, 'curl', 101), ...conn }, { ...b(2, 102, 'wget', 101), key: '102:2000', ...conn }]);
    const g = m.graph();
    assert.deepEqual(g.nodes.filter((n) => n.type === 'process').map((n) => n.label), ['curl (102)', 'wget (102)']);
    assert.equal(g.links.length, 2);
  });

  it('learns names from DNS answers for later connections', () => {
    const m = new NetworkGraphModel();
    m.addEvents([
      { ...b(1, 5, 'py', 1), kind: 'dns', name: 'db.internal', answers: ['10.0.0.12'], ret: 0 },
      { ...b(2, 5, 'py', 1), kind: 'connect', family: 'AF_INET', saddr: '10.0.0.1', sport: 1, daddr: '10.0.0.12', dport: 5432, fd: 3, ret: 0 },
      { ...b(3, 6, 'srv', 1), kind: 'accept', family: 'AF_INET', saddr: '127.0.0.1', sport: 8080, daddr: '127.0.0.1', dport: 51000, fd: 4, ret: 4 },
    ]);
    assert.deepEqual(m.graph().nodes.filter((n) => n.type === 'endpoint').map((n) => n.label).sort(), ['127.0.0.1 → :8080', 'db.internal:5432']);
  });
});

describe('webview latency percentiles', () => {
  it('estimates p50/p95/p99 within 7% on a known distribution', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) h.add(i * 1000); // 1 µs .. 10 ms, uniform
    for (const [q, want] of [[0.5, 5e6], [0.95, 9.5e6], [0.99, 9.9e6]] as const) {
      const got = h.quantile(q);
      assert.ok(Math.abs(got - want) / want < 0.07, `q${q}: got ${got}, want ≈${want}`);
    }
    assert.equal(h.max, 1e7);
    assert.equal(h.count, 10_000);
  });

  it('is exact for a constant and NaN when empty', () => {
    const h = new LatencyHistogram();
    assert.ok(Number.isNaN(h.quantile(0.5)));
    for (let i = 0; i < 5; i++) h.add(1234);
    assert.equal(h.quantile(0.99), 1234);
    assert.throws(() => h.quantile(0), /q must be in \(0, 1\]/);
  });
});

describe('webview syscall summary', () => {
  it('aggregates per process and syscall, and the agent summary overrides computed rows', () => {
    const s = new SyscallStats();
    s.addEvents(EVENTS);
    let rows = s.rows().sort((a, b2) => a.name.localeCompare(b2.name));
    assert.deepEqual(rows.map((r) => [r.pid, r.name, r.count, r.errors, r.source]), [[100, 'read', 1, 1, 'events'], [100, 'write', 1, 0, 'events']]);
    s.applySummary([{ pid: 100, key: '100:1000', comm: 'node', name: 'read', nr: 0, count: 40, errors: 3, total_ns: 4000, max_ns: 400, p50_ns: 90, p95_ns: 300, p99_ns: 390 }]);
    rows = s.rows().sort((a, b2) => a.name.localeCompare(b2.name));
    assert.deepEqual(rows.map((r) => [r.name, r.count, r.errors, r.source]), [['read', 40, 3, 'kernel'], ['write', 1, 0, 'events']]);
    // A kernel row without a process name takes the name seen in events.
    s.applySummary([{ pid: 102, key: '102:1000', comm: '', name: 'connect', nr: 42, count: 1, errors: 0, total_ns: 10, max_ns: 10, p50_ns: 10, p95_ns: 10, p99_ns: 10 }]);
    assert.equal(s.rows().find((r) => r.pid === 102)?.comm, 'curl');
  });

  it('shows a reused pid as two processes, from events and from the agent\'s rows', () => {
    const s = new SyscallStats();
    const call = (key: string, comm: string) => ({ ...b(1, 9, comm, 1), key, kind: 'syscall' as const, name: 'read', nr: 0, args: [], ret: 0, dur_ns: 100 });
    s.addEvents([call('9:1000', 'first'), call('9:2000', 'second'), call('9:2000', 'second')]);
    const shape = () => s.rows().map((r) => [r.pid, r.key, r.comm, r.count, r.source]).sort((x, y) => String(x[1]).localeCompare(String(y[1])));
    assert.deepEqual(shape(), [[9, '9:1000', 'first', 1, 'events'], [9, '9:2000', 'second', 2, 'events']]);
    const row = (key: string, count: number) => ({ pid: 9, key, comm: '', name: 'read', nr: 0, count, errors: 0, total_ns: 10, max_ns: 10, p50_ns: 10, p95_ns: 10, p99_ns: 10 });
    s.applySummary([row('9:1000', 5), row('9:2000', 7)]);
    assert.deepEqual(shape(), [[9, '9:1000', 'first', 5, 'kernel'], [9, '9:2000', 'second', 7, 'kernel']]);
  });
});

describe('webview timeline lanes', () => {
  it('keeps one time-ordered lane per process and finds the nearest event to a click', () => {
    const m = new TimelineModel();
    m.addEvents(EVENTS);
    m.addEvents([{ ...b(1000.5, 100, 'node', 1), kind: 'exit', exit_code: 0 }]); // late, out of order
    assert.deepEqual(m.lanes.map((l) => l.pid), [100, 101, 102]);
    assert.deepEqual(m.lanes[0].ts, [1000, 1000.5, 1001, 1006, 1009]);
    assert.equal(m.nearest(2, 1005.2, 1)?.kind, 'dns');
    assert.equal(m.nearest(2, 1020, 1), null);
    assert.equal(m.find('1003:101:101:open', (e) => `${e.ts}:${e.pid}:${e.tid}:${e.kind}`)?.lane, 1);
  });

  it('gives a reused pid a lane of its own', () => {
    const m = new TimelineModel();
    m.addEvents([{ ...b(1, 9, 'a', 1), kind: 'exit', exit_code: 0 }, { ...b(2, 9, 'b', 1), key: '9:2000', kind: 'exit', exit_code: 0 }]);
    assert.deepEqual(m.lanes.map((l) => [l.pid, l.comm]), [[9, 'a'], [9, 'b']]);
  });

  it('stays bounded: drops the oldest marks and empty lanes, and counts them', () => {
    const m = new TimelineModel(1000);
    m.addEvents([{ ...b(0, 7, 'early', 1), kind: 'exit', exit_code: 0 }]);
    for (let batch = 0; batch < 30; batch++) {
      m.addEvents(Array.from({ length: 100 }, (_, i) => ({ ...b(1 + batch * 100 + i, 8 + (i % 2), 'w', 1), kind: 'exit' as const, exit_code: 0 })));
    }
    assert.ok(m.total <= 1000, `total ${m.total}`);
    assert.equal(m.total + m.dropped, 3001);
    assert.deepEqual(m.lanes.map((l) => l.pid), [8, 9]); // pid 7's only mark was the oldest
    assert.equal(m.lanes[0].ts.at(-1), 3000 - 1);
    assert.ok(m.minTs > 1000);
  });
});

describe('webview event summary', () => {
  it('an exec a non-root trace stops following says so and why', () => {
    const base: LensEvent = { ts: 1, pid: 5, tid: 5, ppid: 1, uid: 1000, comm: 'passwd', key: '5:1000', kind: 'exec', filename: '/usr/bin/passwd', argv: ['passwd'], cwd: '/', ret: 0 };
    assert.equal(summarize({ ...base, untraced: 'setuid' } as LensEvent), '/usr/bin/passwd (setuid: no longer traced, you cannot ptrace it)');
    assert.equal(summarize(base), '/usr/bin/passwd');
  });
});
