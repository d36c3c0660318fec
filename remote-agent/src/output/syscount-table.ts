/*
 * The `strace -c`-style table `trace --events syscount` prints on stderr at
 * the end: one row per syscall, summed over the traced processes.
 */
import type { SyscallSummaryRow } from '../protocol';

function ms(ns: number): string {
  return (ns / 1e6).toFixed(3);
}

/** Table text, busiest syscall (by total time) first. */
export function syscountTable(rows: readonly SyscallSummaryRow[]): string {
  const by = new Map<string, { calls: number; errors: number; total: number; max: number; p95: number }>();
  for (const r of rows) {
    const a = by.get(r.name) ?? { calls: 0, errors: 0, total: 0, max: 0, p95: 0 };
    a.calls += r.count;
    a.errors += r.errors;
    a.total += r.total_ns;
    a.max = Math.max(a.max, r.max_ns);
    a.p95 = Math.max(a.p95, r.p95_ns);
    by.set(r.name, a);
  }
  const sorted = [...by].sort((x, y) => y[1].total - x[1].total);
  const all = sorted.reduce((s, [, a]) => s + a.total, 0) || 1;
  const lines = [`${'% time'.padStart(6)} ${'total ms'.padStart(11)} ${'calls'.padStart(9)} ${'errors'.padStart(7)} ${'max ms'.padStart(9)} ${'p95 ≤ ms'.padStart(9)}  syscall`];
  for (const [name, a] of sorted) {
    lines.push(`${((a.total * 100) / all).toFixed(2).padStart(6)} ${ms(a.total).padStart(11)} ${String(a.calls).padStart(9)} ${String(a.errors || '').padStart(7)} ${ms(a.max).padStart(9)} ${ms(a.p95).padStart(9)}  ${name}`);
  }
  return lines.join('\n') + '\n';
}
