/*
 * SYSAGG rows (per process, per syscall, aggregated in the kernel) as the
 * protocol's SyscallSummaryRow: the process key, syscall names, percentiles
 * from the log2 latency histogram, and the process name.
 */
import type { SysAggRow } from '../decode/control';
import { processKey } from '../model/process-key';
import type { SyscallSummaryRow } from '../protocol';
import { histPercentile } from './histogram';

/** Rows for `session/syscallSummary` and the `trace` syscount table; `commOf` names a process ('' when unknown). */
export function syscallSummaryRows(rows: readonly SysAggRow[], nameOf: (nr: number) => string, commOf: (pid: number, startNs: number) => string): SyscallSummaryRow[] {
  return rows.map((r) => ({
    pid: r.pid, key: processKey(r.pid, r.startNs), comm: commOf(r.pid, r.startNs), name: nameOf(r.nr), nr: r.nr,
    count: r.count, errors: r.errors, total_ns: r.totalNs, max_ns: r.maxNs,
    p50_ns: histPercentile(r.hist, r.count, 0.5, r.maxNs), p95_ns: histPercentile(r.hist, r.count, 0.95, r.maxNs), p99_ns: histPercentile(r.hist, r.count, 0.99, r.maxNs),
  }));
}
