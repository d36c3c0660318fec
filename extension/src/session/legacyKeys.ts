/*
 * Session files written before events carried a process key (README, "NDJSON
 * fields") have no start times to build one from. Their events get the key
 * `"<pid>:g<n>"` when read: the pid and how many processes had it before in
 * the file, counted at forks, so a reused pid still reads as two processes.
 */
import type { LensEvent, SyscallSummaryRow } from '../../../remote-agent/src/protocol';

/** Gives the events of one old file, in file order, the keys they lack. */
export class LegacyKeys {
  private readonly generation = new Map<number, number>();

  /** Sets `key` (and a fork's `child_key`) on an event that has none. */
  fill(e: LensEvent): void {
    if (typeof e.key === 'string') return;
    e.key = this.keyOf(e.pid);
    if (e.kind === 'fork' && !e.thread && e.child_key === undefined) {
      this.generation.set(e.child_pid, (this.generation.get(e.child_pid) ?? 0) + 1);
      e.child_key = this.keyOf(e.child_pid);
    }
  }

  /** Sets `key` on a summary row that has none: the pid's process at that point of the file (old rows merged a reused pid). */
  fillSummary(r: SyscallSummaryRow): void {
    if (typeof r.key !== 'string') r.key = this.keyOf(r.pid);
  }

  private keyOf(pid: number): string {
    return `${pid}:g${this.generation.get(pid) ?? 0}`;
  }
}
