// Process helpers for the benchmark: run a command with its total CPU time, sample CPU of a process tree.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';

/** What one benchmark process run produced. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stderr of the command and everything it started (the workload's own clock is read from here) */
  stderr: string;
  /** wall time from spawn to exit, seconds */
  wallS: number;
  /** user+system CPU of every process of the run that was waited for (the tracer and the workload), seconds */
  cpuS: number;
}

/** A started run: its pid (the wrapping shell) and a promise for its result. */
export interface Started {
  pid: number;
  done: Promise<RunResult>;
}

export interface RunOptions {
  /** file that receives stdout ('/dev/null' by default) */
  stdoutFile?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** kill the run (whole process group) after this many seconds; 0 = never */
  timeoutS?: number;
}

// bash's `times` reports the CPU of all waited-for descendants; it is written to fd 3, a pipe of ours.
const WRAPPER = '"$@" 3>&-; rc=$?; times >&3; exit $rc';

/**
 * Starts argv in its own process group behind a bash wrapper that reports the CPU
 * used by every process of the run (tracer included), so costs outside the
 * workload's own clock are visible too.
 */
export function start(argv: string[], opts: RunOptions = {}): Started {
  if (argv.length === 0) throw new Error('bench: empty command line');
  const out = openSync(opts.stdoutFile ?? '/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  const child = spawn('bash', ['-c', WRAPPER, 'bench', ...argv], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', out, 'pipe', 'pipe'],
    detached: true,
  });
  closeSync(out);
  let stderr = '';
  let times = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (stderr.length > 4_000_000) stderr = stderr.slice(-2_000_000);
  });
  (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: string) => (times += d));
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutS && opts.timeoutS > 0) {
    timer = setTimeout(() => {
      stderr += `\nbench: killed after ${opts.timeoutS} s\n`;
      killGroup(child.pid!, 'SIGKILL');
    }, opts.timeoutS * 1000);
  }
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      resolve({ code, signal, stderr, wallS, cpuS: parseTimes(times) });
    });
  });
  return { pid: child.pid!, done };
}

/** Runs argv to completion (see start). */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  return start(argv, opts).done;
}

/** Sends a signal to a whole process group started by start(); a group already gone is fine. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** CPU seconds of the waited-for children from a shell's `times` output ("0m0.150s 0m0.480s" on its last line). */
export function parseTimes(text: string): number {
  const lines = text.trim().split('\n');
  const children = lines[lines.length - 1] ?? '';
  let total = 0;
  for (const m of children.matchAll(/(\d+)m([\d.]+)s/g)) total += Number(m[1]) * 60 + Number(m[2]);
  return total;
}

const TICK = 100; // USER_HZ on Linux

/** CPU seconds (user+system, all threads) of one live process, or 0 when it is gone. */
export function processCpuS(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return 0;
  }
}

/** Pids of root and all its live descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // the process exited while we listed /proc
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Command name of a live process ('' when gone). */
export function processComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Resolves when check() returns a value other than undefined, polling; rejects after timeoutS. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutS: number): Promise<T> {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutS} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
