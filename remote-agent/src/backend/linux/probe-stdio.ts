/*
 * The probe's stdio: 0 control commands, 1 packets, 2 diagnostics, and for a
 * launched target 3/4/5 the target's stdin/stdout/stderr (pipes, /dev/null,
 * or fds of the agent the target inherits).
 */
import { closeSync, openSync } from 'node:fs';
import type { ProbeOptions } from '../backend';

/** The stdio array for spawning the probe, and a close() for what it opened. */
export function probeStdio(o: ProbeOptions): { stdio: Array<'pipe' | number>; close(): void } {
  const t = o.target;
  const none = { close() { /* nothing opened */ } };
  if ('pid' in t) return { stdio: ['pipe', 'pipe', 'pipe'], ...none };
  const mode = t.stdio ?? 'inherit';
  if (mode === 'pipe') return { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'], ...none };
  if (mode === 'null') {
    // An fd that is not open at all would leave the target with the probe's own stdio: give it /dev/null.
    let fd: number | undefined = openSync('/dev/null', 'r+');
    return {
      stdio: ['pipe', 'pipe', 'pipe', fd, fd, fd],
      close() { if (fd !== undefined) { closeSync(fd); fd = undefined; } },
    };
  }
  const [i, out, e] = o.inheritFds ?? [0, 1, 2];
  return { stdio: ['pipe', 'pipe', 'pipe', i, out, e], ...none };
}
