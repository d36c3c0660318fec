/*
 * The syscall summary (strace -c, but per process and live): counts, errors
 * and latency percentiles per (process, syscall), computed from syscall events
 * and overridden by the agent's in-kernel summaries when those arrive. A
 * process is its key (pid + start time): a reused pid has rows of its own.
 */
import type { LensEvent, SyscallSummaryRow } from '../../../remote-agent/src/protocol';
import { LatencyHistogram } from './percentiles';

/** One row of the summary table: the protocol's row (without the syscall number) and where it came from. */
export interface SummaryRow extends Omit<SyscallSummaryRow, 'nr'> {
  /** 'kernel' rows come from the agent's in-kernel counts; 'events' rows from syscall events */
  source: 'kernel' | 'events';
}

interface Live {
  pid: number;
  key: string;
  comm: string;
  name: string;
  errors: number;
  hist: LatencyHistogram;
}

/** Why it exists: aggregate syscalls per process from either source, for the summary view. */
export class SyscallStats {
  private readonly live = new Map<string, Live>();
  private readonly kernel = new Map<string, SyscallSummaryRow>();
  /** process names seen in events (by process key), for summary rows that come without one */
  private readonly comms = new Map<string, string>();
  /** bumps on every change, so a view redraws only when needed */
  version = 0;

  addEvents(events: readonly LensEvent[]): void {
    for (const e of events) {
      if (e.comm) this.comms.set(e.key, e.comm);
      if (e.kind !== 'syscall') continue;
      const key = `${e.key}/${e.name}`;
      let s = this.live.get(key);
      if (!s) {
        s = { pid: e.pid, key: e.key, comm: e.comm, name: e.name, errors: 0, hist: new LatencyHistogram() };
        this.live.set(key, s);
      }
      s.comm = e.comm;
      s.hist.add(e.dur_ns);
      if (e.ret < 0) s.errors++;
      this.version++;
    }
  }

  /** Rows from the agent replace the computed ones for the same (process, syscall). */
  applySummary(rows: readonly SyscallSummaryRow[]): void {
    for (const r of rows) this.kernel.set(`${r.key}/${r.name}`, r);
    this.version++;
  }

  clear(): void {
    this.live.clear();
    this.kernel.clear();
    this.comms.clear();
    this.version++;
  }

  rows(): SummaryRow[] {
    const out: SummaryRow[] = [];
    for (const r of this.kernel.values()) {
      out.push({ pid: r.pid, key: r.key, comm: r.comm || this.comms.get(r.key) || '', name: r.name, count: r.count, errors: r.errors, total_ns: r.total_ns, max_ns: r.max_ns, p50_ns: r.p50_ns, p95_ns: r.p95_ns, p99_ns: r.p99_ns, source: 'kernel' });
    }
    for (const [key, s] of this.live) {
      if (this.kernel.has(key)) continue;
      const h = s.hist;
      out.push({
        pid: s.pid, key: s.key, comm: s.comm, name: s.name, count: h.count, errors: s.errors, total_ns: h.total, max_ns: h.max,
        p50_ns: h.quantile(0.5), p95_ns: h.quantile(0.95), p99_ns: h.quantile(0.99), source: 'events',
      });
    }
    return out;
  }
}
