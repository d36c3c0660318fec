/*
 * What a rule's fields read about one event: the event itself, and its
 * process and ancestors from the session's process table as they are when the
 * event passes the rules stage. Reused from event to event (reset), looked up
 * only when a field asks.
 */
import type { ProcessEntry } from '../enrich/process-table';
import type { LensEvent, SockEvent } from '../protocol';

/** The process facts a rule reads (the enricher's process table). */
export interface ProcessLookup {
  get(pid: number): ProcessEntry | undefined;
  ancestry(pid: number): ProcessEntry[];
}

/** A process as the fields see it: its name, program, arguments, directory. */
export interface ProcFacts {
  /** its process-table entry (what the session remembers of it is keyed by this object) */
  entry?: ProcessEntry;
  pid: number;
  name: string;
  /** the program's path */
  exepath?: string;
  argv?: readonly string[];
  cwd?: string;
}

const NO_PROCESSES: ProcessLookup = { get: () => undefined, ancestry: () => [] };

/** Files written at most remembered for proc.exe_written. */
export const MAX_WRITTEN = 4096;

/**
 * What the session saw before the current event, for rules about sequences: files traced processes
 * wrote (a later exec of one is download-and-execute), processes that accepted or listened (a
 * shell they start is a server spawning a shell). Bounded; updated by the rules stage after each event.
 */
export class SessionMemory {
  readonly written = new Set<string>();
  readonly servers = new WeakSet<ProcessEntry>();
  /** the environment each traced process's exec gave it */
  readonly envs = new WeakMap<ProcessEntry, Readonly<Record<string, string>>>();

  /** Remembers what this event (facts.ev) tells about later ones. */
  note(facts: EventFacts): void {
    const ev = facts.ev;
    if (ev.kind === 'open') {
      const fl = ev.flags;
      if (ev.ret >= 0 && (fl.includes('O_WRONLY') || fl.includes('O_RDWR') || fl.includes('O_CREAT'))) this.wrote(ev.path);
    }
    else if ((ev.kind === 'rename' || ev.kind === 'link' || ev.kind === 'symlink') && ev.ret >= 0 && ev.path2) this.wrote(ev.path2);
    else if ((ev.kind === 'listen' || ev.kind === 'accept') && ev.ret >= 0) { const e = facts.proc()?.entry; if (e) this.servers.add(e); }
    else if (ev.kind === 'exec' && ev.env) { const e = facts.proc()?.entry; if (e) this.envs.set(e, ev.env); }
  }

  private wrote(path: string): void {
    if (this.written.size >= MAX_WRITTEN) this.written.delete(this.written.values().next().value!);
    this.written.add(path);
  }
}

/** Numbers events across every EventFacts, so a value kept for one event is never taken for another's. */
let generation = 0;

/** One event and lazy access to its process's facts. */
export class EventFacts {
  ev!: LensEvent;
  /** this event's number: what a macro or field found for it is kept until the next (check.ts memo) */
  gen = 0;
  private chain: ProcFacts[] | undefined;

  constructor(private readonly processes: ProcessLookup = NO_PROCESSES, readonly userName: (uid: number) => string | undefined = () => undefined,
    readonly memory = new SessionMemory()) {}

  /** Points at the next event. */
  reset(ev: LensEvent): this {
    this.ev = ev;
    this.chain = undefined;
    this.gen = ++generation;
    return this;
  }

  /** The event's process (index 0), its parent (1), grandparent...: as far as the table knows. */
  ancestors(): ProcFacts[] {
    if (this.chain) return this.chain;
    const ev = this.ev;
    const entries = this.processes.ancestry(ev.pid);
    const chain: ProcFacts[] = entries.map((e) => ({ entry: e, pid: e.pid, name: e.comm, exepath: e.filename, argv: e.argv, cwd: e.cwd }));
    // the event knows its own process better than the table does (an exec names its program, argv and directory)
    const self: ProcFacts = ev.kind === 'exec' && ev.ret === 0
      ? { entry: chain[0]?.pid === ev.pid ? chain[0].entry : undefined, pid: ev.pid, name: ev.comm, exepath: ev.filename, argv: ev.argv, cwd: ev.cwd }
      : chain[0] && chain[0].pid === ev.pid ? { ...chain[0], name: ev.comm } : { pid: ev.pid, name: ev.comm };
    if (chain[0]?.pid === ev.pid) chain[0] = self;
    else chain.unshift(self);
    return (this.chain = chain);
  }

  /** Reads these ancestors instead of the table's current ones (facts taken earlier, for a rule judged later). */
  useAncestors(chain: ProcFacts[]): void {
    this.chain = chain;
  }

  /** The process `n` generations up (0: the event's own). */
  proc(n = 0): ProcFacts | undefined {
    return this.ancestors()[n];
  }

  /** The event as a socket event, when it is one with addresses. */
  sock(): SockEvent | undefined {
    const ev = this.ev;
    return 'family' in ev && ev.kind !== 'tcp_close' ? (ev as SockEvent) : undefined;
  }
}
