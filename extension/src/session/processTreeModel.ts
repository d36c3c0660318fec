import type { LensEvent } from '../../../remote-agent/src/protocol';

/** One process seen in a session (a reused pid is a new node). */
export interface ProcessNode {
  /** unique within the session: pid plus a generation number */
  key: string;
  pid: number;
  ppid: number;
  comm: string;
  filename?: string;
  argv?: string[];
  /** the command line from outside the event stream (the process list an attach was picked from) */
  cmdline?: string;
  /** argv/cmdline were inherited from the parent at fork: no exec of this process seen yet */
  inherited?: boolean;
  cwd?: string;
  startTs: number;
  endTs?: number;
  exitCode?: number;
  signal?: string;
  /** events attributed to this process */
  events: number;
  parent?: ProcessNode;
  children: ProcessNode[];
}

/**
 * Builds the live process ancestry of a session from exec/fork/exit events
 * (and attributes other events to their process). Bounded: past `maxNodes`
 * new processes are counted in `omitted` instead of being added.
 */
export class ProcessTreeModel {
  private readonly live = new Map<number, ProcessNode>();
  /** the last process of each pid that exited: late events of it (a tcp_close after its exit) belong to it */
  private readonly exited = new Map<number, ProcessNode>();
  private readonly generations = new Map<number, number>();
  private readonly knownCommandLines = new Map<number, string>();
  readonly roots: ProcessNode[] = [];
  size = 0;
  omitted = 0;

  constructor(private readonly maxNodes = 20000) {
    if (!Number.isInteger(maxNodes) || maxNodes <= 0) throw new RangeError(`ProcessTreeModel: maxNodes must be a positive integer, got ${maxNodes}`);
  }

  /**
   * Gives the command line of a process that was running before the session
   * (an attached pid): it has no exec event, so nothing else would name it.
   */
  setCommandLine(pid: number, cmdline: string): void {
    const node = this.live.get(pid);
    if (node) {
      if (!node.argv) node.cmdline = cmdline;
    } else {
      this.knownCommandLines.set(pid, cmdline);
    }
  }

  /** The node of a running pid, if known. */
  get(pid: number): ProcessNode | undefined {
    return this.live.get(pid);
  }

  /** Applies a batch; returns true when the tree's shape or labels changed. */
  apply(events: readonly LensEvent[]): boolean {
    let changed = false;
    for (const e of events) changed = this.applyOne(e) || changed;
    return changed;
  }

  private applyOne(e: LensEvent): boolean {
    switch (e.kind) {
      case 'fork': {
        if (e.thread) {
          this.touch(e);
          return false;
        }
        const parent = this.live.get(e.pid) ?? this.create(e.pid, e.ppid, e.comm, e.ts);
        if (parent) parent.events++;
        const child = this.create(e.child_pid, e.pid, e.comm, e.ts, true);
        if (child && parent) {
          // a forked child runs its parent's program until it execs: it has the parent's command line
          child.argv = parent.argv;
          child.cmdline = parent.cmdline;
          child.filename = parent.filename;
          child.cwd = parent.cwd;
          child.inherited = parent.argv !== undefined || parent.cmdline !== undefined;
        }
        return true;
      }
      case 'exec': {
        const node = this.live.get(e.pid) ?? this.create(e.pid, e.ppid, e.comm, e.ts);
        if (!node) return false;
        node.events++;
        if (e.ret < 0) return false;
        node.comm = e.comm;
        node.filename = e.filename;
        node.argv = e.argv;
        node.cmdline = undefined;
        node.inherited = false;
        node.cwd = e.cwd;
        return true;
      }
      case 'exit': {
        if (!this.live.has(e.pid) && this.exited.has(e.pid)) return this.touch(e);
        // an attached process may be seen for the first time when it exits
        const node = this.live.get(e.pid) ?? this.create(e.pid, e.ppid, e.comm, e.ts);
        if (!node) return false;
        node.events++;
        node.exitCode = e.exit_code;
        if (e.signal) node.signal = e.signal;
        node.endTs = e.ts;
        this.live.delete(e.pid);
        this.exited.set(e.pid, node);
        return true;
      }
      default:
        return this.touch(e);
    }
  }

  /**
   * Counts an event on its process, adding the process if it is new. An event of a pid
   * that exited (a socket closed after its owner's exit) counts on that process: it does
   * not bring it back as a new one; a new process of a reused pid starts with its fork or exec.
   */
  private touch(e: LensEvent): boolean {
    const existing = this.live.get(e.pid) ?? this.exited.get(e.pid);
    if (existing) {
      existing.events++;
      return false;
    }
    const node = this.create(e.pid, e.ppid, e.comm, e.ts);
    if (node) node.events++;
    return node !== undefined;
  }

  private create(pid: number, ppid: number, comm: string, ts: number, replace = false): ProcessNode | undefined {
    const old = this.live.get(pid);
    if (old && !replace) return old;
    if (old) {
      // pid reused before we saw the old process exit: the old one is gone
      old.endTs ??= ts;
      this.live.delete(pid);
    }
    if (this.size >= this.maxNodes) {
      this.omitted++;
      return undefined;
    }
    const generation = (this.generations.get(pid) ?? 0) + 1;
    this.generations.set(pid, generation);
    const parent = this.live.get(ppid);
    const node: ProcessNode = { key: `${pid}:${generation}`, pid, ppid, comm, startTs: ts, events: 0, children: [] };
    const cmdline = this.knownCommandLines.get(pid);
    if (cmdline !== undefined && !replace) {
      // only the process that was running at the start: a later one with the same pid is another program
      node.cmdline = cmdline;
    }
    this.knownCommandLines.delete(pid);
    if (parent) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      this.roots.push(node);
    }
    this.live.set(pid, node);
    this.size++;
    return node;
  }
}

/** The command line of a process for display: argv joined, the known command line, or its comm in brackets. */
export function processCommandLine(node: ProcessNode): string {
  if (node.argv && node.argv.length > 0) return node.argv.join(' ');
  if (node.cmdline) return node.cmdline;
  return `[${node.comm}]`;
}
