/*
 * Which reported JS call caused a kernel event. Per process: reports of
 * synchronous calls match events of their own thread; reports of queued
 * work match the first event anywhere in the process (threadpool, or the
 * main thread later for a connect) on the same path, port or host name,
 * oldest first. A report never matches an event older than itself (both
 * are CLOCK_MONOTONIC). A fork takes its thread's latest spawn report, and
 * the child's execs up to its first successful one carry it.
 */
import type { LensEvent } from '../../protocol';
import type { NodeReport } from './reports';

/**
 * Unmatched reports of queued work kept per process; older ones are forgotten (counted). Reports
 * are drained as they come while their events can wait far longer in the kernel's ring buffer
 * behind a burst: the bound is large (a report without its frames, which are shared, is small).
 */
const MAX_PENDING = 65536;
/** Reports of synchronous calls kept per thread, likewise. */
const MAX_SYNC = 65536;
/** Matched queued work kept per process for more events of the same call. */
const MAX_MATCHED = 64;
/** How many synchronous calls back from the latest one an event may still belong to (calls made inside a call). */
const NESTING = 16;
/** Processes whose reports are kept (without exit events, e.g. --events file, the oldest is forgotten first). */
const MAX_PROCESSES = 1024;

interface ProcessReports {
  /** queued work not matched yet, oldest first */
  pending: NodeReport[];
  /** synchronous calls per thread, in the order the thread made them (so in time order) */
  sync: Map<number, NodeReport[]>;
  /** matched queued work, newest last */
  matched: NodeReport[];
  /** spawn reports a fork has taken */
  forked: WeakSet<NodeReport>;
  /** reports the preload dropped (FIFO full) or this table forgot */
  lost: number;
}

/** The reports of every Node process of a session and their matching. */
export class Correlator {
  private readonly procs = new Map<number, ProcessReports>();
  /** child pid → the spawn report of the fork that made it, until its exec succeeds */
  private readonly children = new Map<number, NodeReport>();

  private proc(pid: number): ProcessReports {
    return this.procs.get(pid) ?? this.hello(pid);
  }

  /** A Node program started reporting in this pid (after an exec, or a new process): what was known of the pid goes. */
  hello(pid: number): ProcessReports {
    const p: ProcessReports = { pending: [], sync: new Map(), matched: [], forked: new WeakSet(), lost: 0 };
    this.procs.delete(pid);
    this.procs.set(pid, p);
    if (this.procs.size > MAX_PROCESSES) this.procs.delete(this.procs.keys().next().value!);
    return p;
  }

  add(r: NodeReport, lost: number): void {
    const p = this.proc(r.pid);
    p.lost += lost;
    let list = p.pending;
    if (r.sync) {
      list = p.sync.get(r.tid) ?? [];
      if (!list.length) p.sync.set(r.tid, list);
    }
    list.push(r);
    if (list.length > (r.sync ? MAX_SYNC : MAX_PENDING)) { list.shift(); p.lost++; }
  }

  /** Whether the process reports (its events without a match lack a JS stack for a reason worth saying). */
  reporting(pid: number): ProcessReports | undefined {
    return this.procs.get(pid);
  }

  /** The report of the call that caused this event, if any. */
  match(e: LensEvent, tsNs: number): NodeReport | undefined {
    if (e.kind === 'exec') {
      const r = this.children.get(e.pid);
      if (r && e.ret === 0) this.children.delete(e.pid);
      return r;
    }
    const p = this.procs.get(e.pid);
    if (!p) return undefined;
    if (e.kind === 'fork') {
      if (e.thread) return undefined;
      const r = this.syncCall(p, e.tid, tsNs, (c) => c.op === 'spawn' && !p.forked.has(c));
      if (r) {
        p.forked.add(r);
        this.children.set(e.child_pid, r);
        if (this.children.size > MAX_PROCESSES) this.children.delete(this.children.keys().next().value!);
      }
      return r;
    }
    const test = matcher(e);
    if (!test) return undefined;
    const sync = this.syncCall(p, e.tid, tsNs, test);
    if (sync) return sync;
    for (let i = 0; i < p.pending.length; i++) {
      const r = p.pending[i];
      if (r.ns <= tsNs && test(r)) {
        p.pending.splice(i, 1);
        p.matched.push(r);
        if (p.matched.length > MAX_MATCHED) p.matched.shift();
        return r;
      }
    }
    // more events of one call (a recursive rm, a retried connect): its report again
    for (let i = p.matched.length - 1; i >= 0; i--) {
      const r = p.matched[i];
      if (r.ns <= tsNs && test(r)) return r;
    }
    return undefined;
  }

  /**
   * The synchronous call of this thread the event belongs to: among the thread's latest calls made
   * before it (the one running, and the ones it was made inside of), the newest that fits. Calls
   * further back have returned: they are forgotten.
   */
  private syncCall(p: ProcessReports, tid: number, tsNs: number, fits: (r: NodeReport) => boolean): NodeReport | undefined {
    const list = p.sync.get(tid);
    if (!list?.length) return undefined;
    let lo = 0;
    let hi = list.length; // first index with ns > tsNs
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].ns <= tsNs) lo = mid + 1;
      else hi = mid;
    }
    const stop = Math.max(0, lo - NESTING);
    if (stop > 0) { list.splice(0, stop); lo -= stop; }
    for (let i = lo - 1; i >= 0; i--) if (fits(list[i])) return list[i];
    return undefined;
  }

  /** A process exited: its reports go. */
  exit(pid: number): void {
    this.procs.delete(pid);
    this.children.delete(pid);
  }
}

/** How an event is recognised in a report's arguments; undefined for kinds no JS call is reported for. */
function matcher(e: LensEvent): ((r: NodeReport) => boolean) | undefined {
  switch (e.kind) {
    case 'open': case 'unlink': case 'rmdir': case 'rename': case 'mkdir': case 'chmod': case 'chown':
    case 'truncate': case 'link': case 'symlink': case 'chdir': {
      const paths = [e.path, (e as { path2?: string }).path2].filter((x): x is string => !!x);
      return (r) => r.op === 'fs' && r.args.some((a) => typeof a === 'string' && paths.some((p) => pathMatches(r.mode, a, p)));
    }
    case 'connect':
      return (r) => r.op === 'connect' && r.args.some((a) => a === e.dport || (e.path !== undefined && a === e.path));
    case 'bind': case 'listen':
      return (r) => r.op === 'listen' && r.args.some((a) => a === 0 || a === e.sport || (e.path !== undefined && a === e.path));
    case 'dns':
      return (r) => r.op === 'dns' && r.args[0] === e.name;
    default:
      return undefined;
  }
}

/** Whether an event's path is the one a call named: the same, or under it or above it (recursive), or starting with it (mkdtemp). */
export function pathMatches(mode: NodeReport['mode'], called: string, event: string): boolean {
  if (event === called) return true;
  if (mode === 'p') return event.startsWith(called);
  if (mode === 'r') return event.startsWith(called + '/') || called.startsWith(event + '/');
  return false;
}
