/*
 * The process tree of a session, built from events: exec renames a process,
 * fork adds a child, exit records the exit code, and every event counts
 * towards its process's activity. Produces the nested data d3.hierarchy takes.
 */
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { isError } from './eventText';

/** One process as the tree shows it. */
export interface ProcNode {
  pid: number;
  ppid: number;
  comm: string;
  /** command line of the last exec, when seen */
  argv?: string[];
  exitCode?: number;
  signal?: string;
  events: number;
  errors: number;
  firstTs: number;
  lastTs: number;
}

/** Nested form for d3.hierarchy; `pid` 0 is the synthetic root above several roots. */
export interface TreeDatum {
  node: ProcNode;
  children?: TreeDatum[];
  /** children hidden because the node is collapsed */
  hiddenChildren: number;
  /** events in this node and all its descendants */
  subtreeEvents: number;
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** Why it exists: keep live process ancestry and activity for the process tree view. */
export class ProcessTreeModel {
  private readonly nodes = new Map<number, ProcNode>();
  version = 0;
  maxEvents = 0;

  get size(): number { return this.nodes.size; }
  get(pid: number): ProcNode | undefined { return this.nodes.get(pid); }

  addEvents(events: readonly LensEvent[]): void {
    for (const e of events) {
      const n = this.ensure(e.pid, e.ppid, e.comm, e.ts);
      n.events++;
      if (isError(e)) n.errors++;
      n.lastTs = Math.max(n.lastTs, e.ts);
      if (n.events > this.maxEvents) this.maxEvents = n.events;
      switch (e.kind) {
        case 'exec':
          if (e.ret === 0 || e.ret === undefined) {
            n.argv = e.argv;
            n.comm = basename(e.argv[0] ?? e.filename) || n.comm;
            n.exitCode = undefined;
            n.signal = undefined;
          }
          break;
        case 'fork':
          if (!e.thread) {
            const c = this.ensure(e.child_pid, e.pid, n.comm, e.ts);
            c.ppid = e.pid;
          }
          break;
        case 'exit':
          n.exitCode = e.exit_code;
          n.signal = e.signal;
          break;
        default:
          break;
      }
    }
    if (events.length) this.version++;
  }

  clear(): void {
    this.nodes.clear();
    this.maxEvents = 0;
    this.version++;
  }

  /** The tree (nested), collapsing the pids in `collapsed`; null when there are no processes. */
  hierarchy(collapsed: ReadonlySet<number>): TreeDatum | null {
    if (this.nodes.size === 0) return null;
    const kids = new Map<number, ProcNode[]>();
    const roots: ProcNode[] = [];
    for (const n of this.nodes.values()) {
      // A parent we never saw, or a cycle through pid reuse, makes a root.
      if (n.ppid !== n.pid && this.nodes.has(n.ppid) && !this.isAncestor(n.pid, n.ppid)) {
        const list = kids.get(n.ppid) ?? [];
        list.push(n);
        kids.set(n.ppid, list);
      } else {
        roots.push(n);
      }
    }
    const build = (n: ProcNode): TreeDatum => {
      const children = (kids.get(n.pid) ?? []).sort((a, b) => a.firstTs - b.firstTs || a.pid - b.pid).map(build);
      const subtreeEvents = n.events + children.reduce((s, c) => s + c.subtreeEvents, 0);
      if (collapsed.has(n.pid)) return { node: n, hiddenChildren: children.length, subtreeEvents };
      return { node: n, children: children.length ? children : undefined, hiddenChildren: 0, subtreeEvents };
    };
    const built = roots.sort((a, b) => a.firstTs - b.firstTs || a.pid - b.pid).map(build);
    if (built.length === 1) return built[0];
    const root: ProcNode = { pid: 0, ppid: 0, comm: 'session', events: 0, errors: 0, firstTs: 0, lastTs: 0 };
    return { node: root, children: built, hiddenChildren: 0, subtreeEvents: built.reduce((s, c) => s + c.subtreeEvents, 0) };
  }

  private ensure(pid: number, ppid: number, comm: string, ts: number): ProcNode {
    let n = this.nodes.get(pid);
    if (!n) {
      n = { pid, ppid, comm, events: 0, errors: 0, firstTs: ts, lastTs: ts };
      this.nodes.set(pid, n);
    }
    return n;
  }

  /** true when `pid` is an ancestor of `of` (guards against cycles). */
  private isAncestor(pid: number, of: number): boolean {
    let cur = this.nodes.get(of);
    for (let depth = 0; cur && depth < 1000; depth++) {
      if (cur.pid === pid) return true;
      if (cur.ppid === cur.pid) return false;
      cur = this.nodes.get(cur.ppid);
    }
    return false;
  }
}

/** Activity level 0..4 (log scale against the busiest process), for colouring nodes. */
export function activityLevel(events: number, maxEvents: number): number {
  if (events <= 0 || maxEvents <= 0) return 0;
  if (maxEvents === 1) return 4;
  const level = 1 + Math.floor((Math.log(events) / Math.log(maxEvents)) * 3.999);
  return Math.max(1, Math.min(4, level));
}
