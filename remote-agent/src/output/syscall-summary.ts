/*
 * SYSAGG rows (per process, per syscall, aggregated in the kernel) as the
 * protocol's SyscallSummaryRow: syscall names, percentiles from the log2
 * latency histogram, and the process name.
 */
import type { SysAggRow } from '../decode/control';
import type { SyscallSummaryRow } from '../protocol';
import { histPercentile } from './histogram';

/** Rows for `session/syscallSummary` and the `trace` syscount table; `commOf` names a pid ('' when unknown). */
export function syscallSummaryRows(rows: readonly SysAggRow[], nameOf: (nr: number) => string, commOf: (pid: number) => string): SyscallSummaryRow[] {
  return rows.map((r) => ({
    pid: r.pid, comm: commOf(r.pid), name: nameOf(r.nr), nr: r.nr,
    count: r.count, errors: r.errors, total_ns: r.totalNs, max_ns: r.maxNs,
    p50_ns: histPercentile(r.hist, r.count, 0.5, r.maxNs), p95_ns: histPercentile(r.hist, r.count, 0.95, r.maxNs), p99_ns: histPercentile(r.hist, r.count, 0.99, r.maxNs),
  }));
}
