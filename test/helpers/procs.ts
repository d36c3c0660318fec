// Process-table queries tests need: descendants of a pid, a child by name, waiting for a condition.
import { readdirSync, readFileSync } from 'node:fs';

/** pid -> ppid and comm of every live process, read from /proc. */
export function processTable(): Map<number, { ppid: number; comm: string }> {
  const table = new Map<number, { ppid: number; comm: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      table.set(Number(entry), { ppid, comm });
    } catch {
      // the process exited while the table was read
    }
  }
  return table;
}

/** Live descendants of `root` (not including it), with their comm. */
export function descendants(root: number): Array<{ pid: number; comm: string }> {
  const table = processTable();
  const out: Array<{ pid: number; comm: string }> = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [pid, info] of table) {
      if (info.ppid === parent) {
        out.push({ pid, comm: info.comm });
        queue.push(pid);
      }
    }
  }
  return out;
}

/** True while `pid` exists (a zombie counts as existing). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A pid that no process has now (and that is not about to be reused by a fork). */
export function unusedPid(): number {
  const max = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  for (let pid = max - 1; pid > 1; pid--) if (!isAlive(pid)) return pid;
  throw new Error('no free pid found');
}

/**
 * Polls `check` (every 20 ms) until it returns a value other than undefined/false,
 * or throws after `timeoutMs` with `what` in the message. Waits on a condition, never a fixed time.
 */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Start time of `pid` (clock ticks after boot): tells a process from a later one with its pid. Undefined once it exited (zombies included). */
export function startTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : Number(fields[19]);
  } catch {
    return undefined;
  }
}
