/*
 * The processes of a session as the extension's Processes view and the
 * webview's process tree show them: one node per process key (pid + kernel
 * start time, process-key.ts), so a reused pid is a second node, and an event
 * that arrives after its process's exit (a tcp_close) counts on that process
 * instead of bringing it back. Built from exec/fork/exit events; every event
 * counts towards its process's activity. Imported by extension/ and webview/.
 */
import type { ProcessKey } from './process-key';
import type { LensEvent } from '../protocol';

/** One process seen in a session. */
export interface ProcessNode {
  key: ProcessKey;
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
  /** ts of its first event, and of its latest */
  startTs: number;
  lastTs: number;
  /** ts of its exit, or of the first sign it is gone (its pid started another process) */
  endTs?: number;
  exitCode?: number;
  signal?: string;
  /** events attributed to this process, and how many of them failed */
  events: number;
  errors: number;
  parent?: ProcessNode;
  children: ProcessNode[];
}

/** What a process tree is told about events from outside: whether one is a failure (counted in `errors`). */
export interface ProcessTreeOptions {
  /** processes kept; past it new ones are counted in `omitted` */
  maxNodes?: number;
  isError?: (e: LensEvent) => boolean;
}

/**
 * The process ancestry of a session, keyed by process key. Bounded: past
 * `maxNodes` new processes are counted in `omitted` instead of being added.
 */
export class ProcessTree {
  private readonly nodes = new Map<ProcessKey, ProcessNode>();
  /** the running process of each pid, for parents named by ppid alone and for setCommandLine */
  private readonly running = new Map<number, ProcessNode>();
  private readonly omittedKeys = new Set<ProcessKey>();
  private readonly knownCommandLines = new Map<number, string>();
  private readonly maxNodes: number;
  private readonly isError: (e: LensEvent) => boolean;
  readonly roots: ProcessNode[] = [];
  /** bumped by every batch and clear(): a view redraws when it changed */
  version = 0;
  /** the most events any one process has */
  maxEvents = 0;

  constructor(options: ProcessTreeOptions = {}) {
    const maxNodes = options.maxNodes ?? 20000;
    if (!Number.isInteger(maxNodes) || maxNodes <= 0) throw new RangeError(`ProcessTree: maxNodes must be a positive integer, got ${maxNodes}`);
    this.maxNodes = maxNodes;
    this.isError = options.isError ?? (() => false);
  }

  /** Processes kept. */
  get size(): number { return this.nodes.size; }

  /** Processes not kept because the tree was full. */
  get omitted(): number { return this.omittedKeys.size; }

  /** The process of a key. */
  get(key: ProcessKey): ProcessNode | undefined {
    return this.nodes.get(key);
  }

  /** The process that runs as `pid` now (no exit seen), if known. */
  runningPid(pid: number): ProcessNode | undefined {
    return this.running.get(pid);
  }

  /**
   * Gives the command line of a process that was running before the session
   * (an attached pid): it has no exec event, so nothing else would name it.
   */
  setCommandLine(pid: number, cmdline: string): void {
    const node = this.running.get(pid);
    if (node) {
      if (!node.argv) node.cmdline = cmdline;
    } else {
      this.knownCommandLines.set(pid, cmdline);
    }
  }

  /** Applies a batch; returns true when the tree's shape or labels changed. */
  apply(events: readonly LensEvent[]): boolean {
    let changed = false;
    for (const e of events) changed = this.applyOne(e) || changed;
    if (events.length) this.version++;
    return changed;
  }

  /** Forgets every process. */
  clear(): void {
    this.nodes.clear();
    this.running.clear();
    this.omittedKeys.clear();
    this.knownCommandLines.clear();
    this.roots.length = 0;
    this.maxEvents = 0;
    this.version++;
  }

  private applyOne(e: LensEvent): boolean {
    const known = this.nodes.get(e.key);
    const node = known ?? this.create(e.key, e.pid, e.ppid, e.pkey, e.comm, e.ts);
    if (!node) return false;
    node.events++;
    if (this.isError(e)) node.errors++;
    if (e.ts > node.lastTs) node.lastTs = e.ts;
    if (node.events > this.maxEvents) this.maxEvents = node.events;
    switch (e.kind) {
      case 'fork': {
        if (e.thread || !e.child_key) return !known;
        const seen = this.nodes.get(e.child_key);
        if (seen) return this.adopt(node, seen) || !known;
        const child = this.create(e.child_key, e.child_pid, e.pid, e.key, e.comm, e.ts, true);
        if (child) {
          // a forked child runs its parent's program until it execs: it has the parent's command line
          child.argv = node.argv;
          child.cmdline = node.cmdline;
          child.filename = node.filename;
          child.cwd = node.cwd;
          child.inherited = node.argv !== undefined || node.cmdline !== undefined;
        }
        return true;
      }
      case 'exec':
        if (e.ret < 0) return !known;
        node.comm = programName(e.argv, e.filename) || e.comm;
        node.filename = e.filename;
        node.argv = e.argv;
        node.cmdline = undefined;
        node.inherited = false;
        node.cwd = e.cwd;
        return true;
      case 'exit':
        if (node.endTs !== undefined && node.exitCode !== undefined) return !known;
        node.exitCode = e.exit_code;
        if (e.signal) node.signal = e.signal;
        node.endTs = e.ts;
        if (this.running.get(node.pid) === node) this.running.delete(node.pid);
        return true;
      default:
        return !known;
    }
  }

  private create(key: ProcessKey, pid: number, ppid: number, pkey: ProcessKey | undefined, comm: string, ts: number, forked = false): ProcessNode | undefined {
    if (this.omittedKeys.has(key)) return undefined;
    const old = this.running.get(pid);
    if (old) {
      // the pid now runs another process: the old one is gone though its exit was not seen
      old.endTs ??= ts;
      this.running.delete(pid);
    }
    if (this.nodes.size >= this.maxNodes) {
      this.omittedKeys.add(key);
      return undefined;
    }
    const node: ProcessNode = { key, pid, ppid, comm, startTs: ts, lastTs: ts, events: 0, errors: 0, children: [] };
    const cmdline = this.knownCommandLines.get(pid);
    // only the process that was running at the start: a forked one with the same pid is another program
    if (cmdline !== undefined && !forked) node.cmdline = cmdline;
    this.knownCommandLines.delete(pid);
    const parent = pkey !== undefined ? this.nodes.get(pkey) : this.running.get(ppid);
    if (parent) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      this.roots.push(node);
    }
    this.nodes.set(key, node);
    this.running.set(pid, node);
    return node;
  }

  /** A process seen before its parent was known (no pkey then) moves under the parent its fork names. */
  private adopt(parent: ProcessNode, child: ProcessNode): boolean {
    if (child.parent || child === parent) return false;
    for (let p: ProcessNode | undefined = parent; p; p = p.parent) if (p === child) return false;
    this.roots.splice(this.roots.indexOf(child), 1);
    child.parent = parent;
    parent.children.push(child);
    return true;
  }
}

/** The program's name for a label: the base name of argv[0], else of the exec'd file. */
function programName(argv: readonly string[], filename: string): string {
  const p = argv[0] ?? filename;
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The command line of a process for display: argv joined, the known command line, or its comm in brackets. */
export function processCommandLine(node: ProcessNode): string {
  if (node.argv && node.argv.length > 0) return node.argv.join(' ');
  if (node.cmdline) return node.cmdline;
  return `[${node.comm}]`;
}
