/*
 * Which reported Python call caused a kernel event. Python's audited calls
 * are synchronous: the hook reports on the calling thread right before the
 * syscall, so an event matches the newest report of its own thread (pid and
 * tid) that is not newer than it and names the same path, address or name.
 * A fork takes its thread's newest spawn report (subprocess, os.system,
 * os.fork, posix_spawn), and the child's execs up to its first successful
 * one carry it: the parent's frames at the fork/exec. A new thread's fork
 * takes the newest thread start report (Python 3.12+ audits it).
 */
import type { LensEvent } from '../../protocol';
import { absolutePath } from '../../enrich/paths';
import type { PyReport } from './py-reports';

/** An event matches one of the newest this many reports of its thread not newer than itself. */
const MAX_RECENT = 32;
/**
 * Reports kept per thread ahead of that thread's events (reports can arrive well before the
 * kernel's records of the same calls); beyond, the oldest is forgotten and counted as dropped.
 */
const MAX_AHEAD = 8192;

interface ProcessReports {
  /** per thread, newest last */
  threads: Map<number, PyReport[]>;
  /** spawn and thread reports a fork has taken */
  forked: WeakSet<PyReport>;
  /** reports the hook dropped (FIFO full, a failed report) or this table forgot (too many ahead) */
  lost: number;
}

/** The reports of every Python process of a session and their matching. */
export class PyCorrelator {
  private readonly procs = new Map<number, ProcessReports>();
  /** child pid → the spawn report of the fork that made it, until its exec succeeds */
  private readonly children = new Map<number, PyReport>();

  /** A Python program started reporting in this pid: what was known of the pid goes. */
  hello(pid: number): void {
    this.procs.set(pid, { threads: new Map(), forked: new WeakSet(), lost: 0 });
  }

  add(r: PyReport, lost: number): void {
    let p = this.procs.get(r.pid);
    if (!p) this.procs.set(r.pid, p = { threads: new Map(), forked: new WeakSet(), lost: 0 });
    p.lost += lost;
    let list = p.threads.get(r.tid);
    if (!list) p.threads.set(r.tid, list = []);
    list.push(r);
    if (list.length > MAX_AHEAD + MAX_RECENT) { list.shift(); p.lost++; }
  }

  /** Reports a process dropped, or undefined when it does not report (not Python, or started without the bootstrap). */
  lostBy(pid: number): number | undefined {
    return this.procs.get(pid)?.lost;
  }

  /** The report of the call that caused this event, if any. */
  match(e: LensEvent, tsNs: number): PyReport | undefined {
    if (e.kind === 'exit') {
      if (e.tid === e.pid) { this.procs.delete(e.pid); this.children.delete(e.pid); }
      return undefined;
    }
    const p = this.procs.get(e.pid);
    if (e.kind === 'exec') {
      const own = p && this.newest(p, e.tid, tsNs, (r) => r.op === 'exec');
      if (own) return own;
      const r = this.children.get(e.pid);
      if (r && e.ret === 0) this.children.delete(e.pid);
      return r;
    }
    if (!p) return undefined;
    if (e.kind === 'fork') {
      const op = e.thread ? 'thread' : 'spawn';
      const r = this.newest(p, e.tid, tsNs, (x) => x.op === op && !p.forked.has(x));
      if (r) { p.forked.add(r); if (!e.thread) this.children.set(e.child_pid, r); }
      return r;
    }
    const test = matcher(e);
    return test && this.newest(p, e.tid, tsNs, test);
  }

  private newest(p: ProcessReports, tid: number, tsNs: number, test: (r: PyReport) => boolean): PyReport | undefined {
    const list = p.threads.get(tid);
    if (!list) return undefined;
    let i = lastNotAfter(list, tsNs);
    // a thread's events come in time order: reports before this event's window can match none of them
    if (i >= MAX_RECENT) { list.splice(0, i - MAX_RECENT + 1); i = MAX_RECENT - 1; }
    for (let j = i; j >= 0; j--) if (test(list[j])) return list[j];
    return undefined;
  }
}

/** The index of the last report (in time order) not newer than `ns`, or -1. */
function lastNotAfter(list: readonly PyReport[], ns: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].ns <= ns) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** How an event is recognised in a report's arguments; undefined for kinds no Python call is reported for. */
function matcher(e: LensEvent): ((r: PyReport) => boolean) | undefined {
  switch (e.kind) {
    case 'open': case 'unlink': case 'rmdir': case 'rename': case 'mkdir': case 'chmod': case 'chown':
    case 'truncate': case 'link': case 'symlink': case 'chdir': {
      const paths = [e.path, (e as { path2?: string }).path2].filter((x): x is string => !!x);
      return (r) => r.op === 'fs' && r.args.some((a) => typeof a === 'string' && paths.some((p) => samePath(a, p)));
    }
    case 'connect':
      return (r) => r.op === 'connect' && (e.path !== undefined ? r.args[0] === e.path : Number(r.args[1]) === e.dport);
    case 'bind': case 'listen':
      return (r) => r.op === 'bind' && (e.path !== undefined ? r.args[0] === e.path : [0, e.sport].includes(Number(r.args[1])));
    case 'udp_send':
      return (r) => (r.op === 'udp' || r.op === 'connect') && Number(r.args[1]) === e.dport;
    case 'dns':
      return (r) => r.op === 'dns' && r.args[0] === e.name;
    default:
      return undefined;
  }
}

/** Whether an event's absolute path is the path a call named (as passed: possibly relative to a cwd the agent cannot know here). */
function samePath(called: string, event: string): boolean {
  if (called === event) return true;
  if (called.startsWith('/')) return absolutePath(called, '/') === event;
  const rel = absolutePath(called, '/');
  return rel !== '/' && event.endsWith(rel);
}
