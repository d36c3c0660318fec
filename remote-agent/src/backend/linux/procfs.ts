/*
 * Reads process facts from /proc: to seed the process and fd tables when
 * attaching to a running process, and to list processes for attach pickers.
 * Every reader returns undefined for a process that vanished meanwhile.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { Mapping } from '../backend';

/** USER_HZ: /proc/PID/stat times are in these ticks (100 on every Linux x86_64 and arm64 build). */
export const CLOCK_TICKS = 100;

/** The /proc/PID/stat fields used here. */
export interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** one letter: R, S, D, Z (zombie: exited, not reaped yet), ... */
  state: string;
  /** start time, ns since boot (tick resolution) */
  startNs: number;
}

/** Fields of /proc/PID/stat this agent needs. */
export function readStat(pid: number, root = '/proc'): ProcStat | undefined {
  let text: string;
  try { text = readFileSync(`${root}/${pid}/stat`, 'latin1'); } catch { return undefined; }
  // comm is parenthesised and may contain spaces and parentheses: split at the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < 0) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); ppid is field 4, starttime field 22.
  return { pid, comm: text.slice(open + 1, close), state: rest[0], ppid: Number(rest[1]), startNs: Number(rest[19]) * (1e9 / CLOCK_TICKS) };
}

/** Real uid of a process, from /proc/PID/status. */
export function readUid(pid: number, root = '/proc'): number | undefined {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`${root}/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch { return undefined; }
}

/** argv of a process (empty for kernel threads), or undefined if it is gone or unreadable. */
export function readCmdline(pid: number, root = '/proc'): string[] | undefined {
  try {
    const raw = readFileSync(`${root}/${pid}/cmdline`, 'utf8');
    if (!raw) return [];
    return raw.replace(/\0$/, '').split('\0');
  } catch { return undefined; }
}

/** Symlink target under /proc/PID (cwd, exe), or undefined. */
export function readLink(pid: number, name: string, root = '/proc'): string | undefined {
  try { return readlinkSync(`${root}/${pid}/${name}`); } catch { return undefined; }
}

/** Open fds of a process and what they point at (paths, `socket:[inode]`, `pipe:[inode]`). */
export function readFds(pid: number, root = '/proc'): Map<number, string> {
  const fds = new Map<number, string>();
  let names: string[];
  try { names = readdirSync(`${root}/${pid}/fd`); } catch { return fds; }
  for (const n of names) {
    try { fds.set(Number(n), readlinkSync(`${root}/${pid}/fd/${n}`)); } catch { /* closed meanwhile */ }
  }
  return fds;
}

/** Threads of a process (task ids). */
export function readTasks(pid: number, root = '/proc'): number[] {
  try { return readdirSync(`${root}/${pid}/task`).map(Number); } catch { return []; }
}

/** Pids of all processes visible in /proc. */
export function listPids(root = '/proc'): number[] {
  return readdirSync(root).filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Whether a process with this pid exists now. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** uid -> user name from /etc/passwd (numbers for uids it does not list). */
export function userNames(passwd = '/etc/passwd'): (uid: number) => string {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync(passwd, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2) names.set(Number(f[2]), f[0]);
    }
  } catch { /* no passwd: numbers only */ }
  return (uid) => names.get(uid) ?? String(uid);
}

/** The file mappings of a process (/proc/PID/maps lines with a path). */
export function readMaps(pid: number, root = '/proc'): Mapping[] | undefined {
  let text: string;
  try { text = readFileSync(`${root}/${pid}/maps`, 'latin1'); } catch { return undefined; }
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-[0-9a-f]+ \S+ ([0-9a-f]+) \S+ (\d+)\s+(\/.*)$/.exec(line);
    if (m) out.push({ start: parseInt(m[1], 16), offset: parseInt(m[2], 16), inode: Number(m[3]), path: m[4] });
  }
  return out;
}
