/*
 * The traced processes: who started whom, what they run, where they run it.
 * Seeded from /proc when attaching, then kept current from exec/fork/exit
 * records. A process is keyed by pid plus start time, so a reused pid starts
 * a new entry instead of inheriting the old one's history.
 */
import { processKey, type ProcessKey } from '../model/process-key';
import type { HostFacts } from '../backend/backend';

/** What is known about one process. */
export interface ProcessEntry {
  pid: number;
  /** ns since boot; process key together with pid */
  startNs: number;
  /** the key events carry; unset while startNs is only /proc's tick-rounded estimate (seeded, no record of it yet) */
  key?: ProcessKey;
  ppid: number;
  uid: number;
  comm: string;
  filename?: string;
  argv?: string[];
  cwd?: string;
  exitCode?: number;
  signal?: number;
  exited: boolean;
}

/** /proc start times have tick (10 ms) resolution; a kernel start_ns within this of a seeded one is the same process. */
const SEED_TOLERANCE_NS = 20e6;
/** Exited processes kept for ancestry queries. */
const MAX_EXITED = 4096;

/** Key strings kept for pids seen (made once per process, not per event); cleared past this many. */
const MAX_KEYS = 65536;

/** Process table with ancestry queries. */
export class ProcessTable {
  private readonly live = new Map<number, ProcessEntry>();
  private readonly exited: ProcessEntry[] = [];
  private readonly keys = new Map<number, { startNs: number; key: ProcessKey }>();

  /** The key of a record's process (pid + its kernel start time). */
  keyOf(pid: number, startNs: number): ProcessKey {
    const k = this.keys.get(pid);
    if (k && k.startNs === startNs) return k.key;
    const key = processKey(pid, startNs);
    if (this.keys.size >= MAX_KEYS) this.keys.clear();
    this.keys.set(pid, { startNs, key });
    return key;
  }

  /** The key of the live process `ppid` when its kernel start time is known (a record or fork of it was seen). */
  parentKey(ppid: number): ProcessKey | undefined {
    return this.live.get(ppid)?.key;
  }

  /** Entry currently holding `pid`, if known. */
  get(pid: number): ProcessEntry | undefined {
    return this.live.get(pid);
  }

  /**
   * The comm of the process `pid` that started at `startNs` (a syscall summary row's process), live
   * or exited; a seeded entry (start time from /proc, tick-rounded) matches within the tolerance.
   * undefined when that process was never seen (another process of the same pid does not count).
   */
  commOf(pid: number, startNs: number): string | undefined {
    const same = (e: ProcessEntry | undefined) => e && e.pid === pid && (e.startNs === startNs || (!e.key && Math.abs(e.startNs - startNs) < SEED_TOLERANCE_NS));
    const live = this.live.get(pid);
    if (same(live)) return live!.comm;
    for (let i = this.exited.length - 1; i >= 0; i--) if (same(this.exited[i])) return this.exited[i].comm;
    return undefined;
  }

  /** Number of live processes known. */
  get size(): number {
    return this.live.size;
  }

  /** Adds `pid` and its descendants as the host sees them now. Returns how many processes were added. */
  seedFromHost(rootPid: number, host: HostFacts): number {
    const stat = host.process(rootPid);
    if (!stat) return 0;
    const children = new Map<number, number[]>();
    try {
      for (const p of host.pids()) {
        const s = host.process(p);
        if (!s) continue;
        const list = children.get(s.ppid) ?? [];
        list.push(s.pid);
        children.set(s.ppid, list);
      }
    } catch { /* the process list is unreadable: the root alone */ }
    let added = 0;
    const queue = [rootPid];
    while (queue.length) {
      const pid = queue.shift()!;
      const s = pid === rootPid ? stat : host.process(pid);
      if (!s) continue;
      this.live.set(pid, {
        pid, startNs: s.startNs, ppid: s.ppid, uid: host.uid(pid) ?? 0, comm: s.comm,
        filename: host.exe(pid), argv: host.cmdline(pid), cwd: host.cwd(pid), exited: false,
      });
      added++;
      queue.push(...(children.get(pid) ?? []));
    }
    return added;
  }

  /**
   * The entry for a record's (pid, startNs), created from the record header if
   * unknown or if the pid now belongs to a different process.
   */
  touch(pid: number, startNs: number, ppid: number, uid: number, comm: string): ProcessEntry {
    const e = this.live.get(pid);
    if (e && (e.startNs === startNs || (startNs !== 0 && Math.abs(e.startNs - startNs) < SEED_TOLERANCE_NS))) {
      if (e.startNs !== startNs && startNs !== 0) e.startNs = startNs; // adopt the kernel's exact value
      if (startNs !== 0) e.key ??= this.keyOf(pid, startNs);
      return e;
    }
    if (e) this.retire(e);
    const parent = this.live.get(ppid);
    const fresh: ProcessEntry = { pid, startNs, ppid, uid, comm, cwd: parent?.cwd, exited: false };
    if (startNs !== 0) fresh.key = this.keyOf(pid, startNs);
    this.live.set(pid, fresh);
    return fresh;
  }

  /** fork/clone of a new process (threads are not processes and are ignored here). */
  onFork(parentPid: number, childPid: number, childStartNs: number, parentComm: string, uid: number): ProcessEntry {
    const parent = this.live.get(parentPid);
    const old = this.live.get(childPid);
    if (old && old.startNs === childStartNs) return old;
    if (old) this.retire(old);
    const child: ProcessEntry = {
      pid: childPid, startNs: childStartNs, key: this.keyOf(childPid, childStartNs), ppid: parentPid, uid, comm: parentComm,
      filename: parent?.filename, argv: parent?.argv, cwd: parent?.cwd, exited: false,
    };
    this.live.set(childPid, child);
    return child;
  }

  /** A successful execve replaces the program image. */
  onExec(e: ProcessEntry, filename: string, argv: string[], cwd: string, comm: string): void {
    e.filename = filename;
    e.argv = argv;
    if (cwd) e.cwd = cwd;
    e.comm = comm;
  }

  /** The process is gone; it stays queryable for ancestry until MAX_EXITED newer exits push it out. */
  onExit(e: ProcessEntry, exitCode: number, signal: number): void {
    e.exitCode = exitCode;
    e.signal = signal;
    this.retire(e);
  }

  /** `pid`, its parent, grandparent... as far as the table knows, nearest first. */
  ancestry(pid: number): ProcessEntry[] {
    const chain: ProcessEntry[] = [];
    const seen = new Set<number>();
    let e = this.live.get(pid) ?? this.findExited(pid);
    while (e && !seen.has(e.pid)) {
      chain.push(e);
      seen.add(e.pid);
      e = this.live.get(e.ppid) ?? this.findExited(e.ppid);
    }
    return chain;
  }

  /** Live processes whose parent is `pid`. */
  children(pid: number): ProcessEntry[] {
    return [...this.live.values()].filter((e) => e.ppid === pid);
  }

  private findExited(pid: number): ProcessEntry | undefined {
    for (let i = this.exited.length - 1; i >= 0; i--) if (this.exited[i].pid === pid) return this.exited[i];
    return undefined;
  }

  private retire(e: ProcessEntry): void {
    e.exited = true;
    if (this.live.get(e.pid) === e) this.live.delete(e.pid);
    this.exited.push(e);
    if (this.exited.length > MAX_EXITED) this.exited.shift();
  }
}
