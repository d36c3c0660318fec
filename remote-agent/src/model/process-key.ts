/*
 * The identity of a process from the kernel to the webview: its pid plus the
 * start time the kernel records for it (events.h, lens_hdr.start_ns: the
 * thread-group leader's start_time, ns since boot). A reused pid has another
 * start time, so it is never mistaken for the process that had it before
 * (Tetragon's exec_id idea). Events carry it as `key` (and `pkey`, `child_key`).
 */

/** A process key: `"<pid>:<start_ns>"`, both decimal, e.g. `"4242:1234567890123"`. */
export type ProcessKey = string;

/** The key of the process `pid` that started at `startNs` (ns since boot, as the kernel records it). */
export function processKey(pid: number, startNs: number): ProcessKey {
  return `${pid}:${startNs}`;
}

