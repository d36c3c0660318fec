/*
 * Syscall summary view (strace -c, per process and live): calls, errors,
 * time and latency percentiles per (process, syscall), sortable, refreshed a
 * few times a second from syscall events and the agent's summaries. Rows
 * group by process key, so a reused pid shows as two processes (same PID).
 */
import type { Host } from '../host';
import type { ToWebview } from '../messages';
import { formatNs } from '../model/eventText';
import { type SummaryRow, SyscallStats } from '../model/syscallStats';
import { fmtCount, h } from '../ui/dom';
import { Throttle } from '../ui/throttle';
import type { View } from './view';

type Col = 'pid' | 'comm' | 'name' | 'count' | 'errors' | 'pct' | 'total_ns' | 'p50_ns' | 'p95_ns' | 'p99_ns' | 'max_ns';
const COLUMNS: Array<{ id: Col; title: string; numeric: boolean }> = [
  { id: 'pid', title: 'PID', numeric: true },
  { id: 'comm', title: 'Process', numeric: false },
  { id: 'name', title: 'Syscall', numeric: false },
  { id: 'count', title: 'Calls', numeric: true },
  { id: 'errors', title: 'Errors', numeric: true },
  { id: 'pct', title: '% time', numeric: true },
  { id: 'total_ns', title: 'Total', numeric: true },
  { id: 'p50_ns', title: 'p50', numeric: true },
  { id: 'p95_ns', title: 'p95', numeric: true },
  { id: 'p99_ns', title: 'p99', numeric: true },
  { id: 'max_ns', title: 'Max', numeric: true },
];
const MAX_ROWS = 2000;

/** Mount the syscall summary view. */
export function createSummaryView(root: HTMLElement, host: Host): View {
  return new SummaryView(root, host);
}

class SummaryView implements View {
  private readonly stats = new SyscallStats();
  private sort: { column: Col; descending: boolean };
  private text = '';
  private readonly body: HTMLElement;
  private readonly headers = new Map<Col, HTMLElement>();
  private readonly count: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly throttle = new Throttle(() => this.render(), 250);
  private drawn = -1;

  constructor(root: HTMLElement, private readonly host: Host) {
    const saved = host.loadState<{ sort: { column: Col; descending: boolean }; text: string }>('summary');
    this.sort = saved.sort && COLUMNS.some((c) => c.id === saved.sort!.column) ? saved.sort : { column: 'total_ns', descending: true };
    this.text = saved.text ?? '';
    const search = h('vscode-text-field', { id: 'summary-filter', placeholder: 'Filter by process, pid or syscall', 'aria-label': 'Filter syscalls' }) as HTMLElement & { value: string };
    search.value = this.text;
    search.addEventListener('input', () => { this.text = search.value.trim().toLowerCase(); this.changed(); });
    this.count = h('span', { class: 'counts', id: 'summary-count' });
    const head = h('div', { class: 'srow header', role: 'row' });
    for (const c of COLUMNS) {
      const cell = h('div', { role: 'columnheader', class: `cell scol-${c.id}${c.numeric ? ' num' : ''}`, tabindex: 0, 'data-sort': c.id }, c.title);
      const toggle = () => {
        this.sort = this.sort.column === c.id ? { column: c.id, descending: !this.sort.descending } : { column: c.id, descending: c.numeric };
        this.changed();
      };
      cell.addEventListener('click', toggle);
      cell.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); toggle(); } });
      this.headers.set(c.id, cell);
      head.append(cell);
    }
    this.body = h('div', { class: 'summary-body', role: 'rowgroup' });
    this.empty = h('div', { class: 'empty static' }, 'No syscalls yet. Trace with the "syscall" or "syscount" event group to fill this table.');
    root.classList.add('view-summary');
    root.append(
      h('div', { class: 'toolbar' }, search, this.count),
      h('div', { class: 'summary-table', role: 'grid', id: 'summary-table', 'aria-label': 'Syscall summary' }, head, this.body, this.empty),
    );
    this.throttle.request();
  }

  handle(msg: ToWebview): void {
    if (msg.type === 'events') { this.stats.addEvents(msg.events); this.throttle.request(); }
    if (msg.type === 'summary') { this.stats.applySummary(msg.rows); this.throttle.request(); }
    if (msg.type === 'reset') { this.stats.clear(); this.throttle.request(); }
  }

  private changed(): void {
    this.host.saveState('summary', { sort: this.sort, text: this.text });
    this.drawn = -1;
    this.throttle.request();
  }

  private render(): void {
    if (this.drawn === this.stats.version) return;
    this.drawn = this.stats.version;
    for (const [id, cell] of this.headers) {
      const active = id === this.sort.column;
      cell.setAttribute('aria-sort', active ? (this.sort.descending ? 'descending' : 'ascending') : 'none');
      cell.classList.toggle('sorted', active);
      cell.classList.toggle('descending', active && this.sort.descending);
    }
    const all = this.stats.rows();
    const totalNs = all.reduce((s, r) => s + r.total_ns, 0);
    const rows = this.text
      ? all.filter((r) => r.name.toLowerCase().includes(this.text) || r.comm.toLowerCase().includes(this.text) || String(r.pid) === this.text)
      : all;
    const { column, descending } = this.sort;
    const key = (r: SummaryRow): number | string => (column === 'pct' ? r.total_ns : r[column]);
    rows.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = typeof x === 'number' && typeof y === 'number' ? (Number.isNaN(x) ? -1 : x) - (Number.isNaN(y) ? -1 : y) : String(x).localeCompare(String(y));
      return (descending ? -c : c) || a.pid - b.pid || a.key.localeCompare(b.key, undefined, { numeric: true }) || a.name.localeCompare(b.name);
    });
    const shown = rows.slice(0, MAX_ROWS);
    while (this.body.children.length < shown.length) {
      this.body.append(h('div', { class: 'srow', role: 'row' }, ...COLUMNS.map((c) => h('div', { role: 'gridcell', class: `cell scol-${c.id}${c.numeric ? ' num' : ''}` }))));
    }
    while (this.body.children.length > shown.length) this.body.lastElementChild!.remove();
    shown.forEach((r, i) => {
      const el = this.body.children[i] as HTMLElement;
      el.dataset.pid = String(r.pid);
      el.dataset.key = r.key;
      el.dataset.syscall = r.name;
      el.dataset.source = r.source;
      el.classList.toggle('has-errors', r.errors > 0);
      const values: Record<Col, string> = {
        pid: String(r.pid), comm: r.comm, name: r.name, count: fmtCount(r.count), errors: fmtCount(r.errors),
        pct: totalNs > 0 ? `${((r.total_ns / totalNs) * 100).toFixed(1)}%` : '', total_ns: formatNs(r.total_ns),
        p50_ns: formatNs(r.p50_ns), p95_ns: formatNs(r.p95_ns), p99_ns: formatNs(r.p99_ns), max_ns: formatNs(r.max_ns),
      };
      COLUMNS.forEach((c, j) => {
        const cell = el.children[j] as HTMLElement;
        if (cell.textContent !== values[c.id]) cell.textContent = values[c.id];
      });
    });
    this.empty.hidden = all.length > 0;
    const calls = all.reduce((s, r) => s + r.count, 0);
    const errors = all.reduce((s, r) => s + r.errors, 0);
    this.count.textContent = `${fmtCount(calls)} calls, ${fmtCount(errors)} errors, ${formatNs(totalNs)} in syscalls` +
      (rows.length > MAX_ROWS ? ` — showing the top ${fmtCount(MAX_ROWS)} of ${fmtCount(rows.length)} rows` : '');
  }
}
