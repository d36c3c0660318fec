/*
 * The code mappings of each traced process, from the probe's mmap records
 * (--stacks), as perf keeps its MMAP2 records: what lens-symbolize unwinds an
 * event's stack with, as the mappings were when the event was made, also once
 * the process has exited. A table is complete from an exec (its first record
 * resets the table) or from a fork of a process whose table was complete (it
 * is copied); a process first seen running (attached) has none, and its stacks
 * are unwound with its /proc/PID/maps. What is kept is bounded: processes
 * (least recently changed dropped first) and mappings per process (more, and
 * the process's table is given up).
 */
import { MapFlag } from '../decode/layout';
import type { MmapRecord } from '../decode/records';
import { unescapeName } from '../decode/strings';
import type { ProcessKey } from '../model/process-key';
import { encodeMappings, type Mapping } from './wire';

/** Processes whose mappings are kept, at most. */
export const MAX_PROCESSES = 4096;
/** Executable mappings one process may have before its table is given up (then /proc/PID/maps is read). */
export const MAX_MAPPINGS = 1024;

/** One version of a process's mappings; never changed once a request carried it. */
class Table {
  private bytes: Buffer | undefined;
  constructor(readonly gen: number, readonly maps: readonly Mapping[]) {}
  /** The table as the helper reads it (encoded once per version). */
  get encoded(): Buffer {
    return this.bytes ??= encodeMappings(this.maps);
  }
}

interface ProcessMaps {
  /** new at each change (from one counter, never reused): the helper rebuilds its view of the process when it sees a new one */
  gen: number;
  /** undefined: not known whole (attached, or given up): /proc/PID/maps is read instead */
  table?: Table;
  /** the mappings of the program an exec replaced, kept for the exec's own stack (its caller's) */
  beforeExec?: Table;
}

/** What to unwind one event's stack with. */
export interface MappingsFor {
  gen: number;
  /** the encoded table; absent: read /proc/PID/maps */
  mappings?: Buffer;
}

/** Mapping [start, end) over the earlier ones: what it covers is replaced, as the kernel does. */
function insert(maps: readonly Mapping[], m: Mapping): Mapping[] {
  const out: Mapping[] = [];
  for (const o of maps) {
    if (o.end <= m.start || o.start >= m.end) { out.push(o); continue; }
    if (o.start < m.start) out.push({ ...o, end: m.start });
    if (o.end > m.end) out.push({ ...o, start: m.end, pgoff: o.pgoff + (m.end - o.start) });
  }
  out.push(m);
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** Per-process code mappings, fed by mmap, fork, exec and exit records in stream order. */
export class CodeMaps {
  private readonly procs = new Map<ProcessKey, ProcessMaps>();
  private clock = 0;

  constructor(private readonly maxProcesses = MAX_PROCESSES, private readonly maxMappings = MAX_MAPPINGS) {}

  /** An mmap record of process `key`. */
  mapped(key: ProcessKey, r: MmapRecord): void {
    const p = this.entry(key);
    const m: Mapping = {
      start: r.start, end: r.end, pgoff: r.pgoff, ino: r.ino, mtimeSec: r.mtimeSec, mtimeNsec: r.mtimeNsec, dev: r.dev,
      deleted: (r.mapFlags & MapFlag.DELETED) !== 0, path: unescapeName(r.path),
    };
    p.gen = this.tick();
    if (r.mapFlags & MapFlag.RESET) {
      p.beforeExec = p.table;
      p.table = new Table(p.gen, [m]);
    } else if (p.table) {
      const maps = insert(p.table.maps, m);
      p.table = maps.length > this.maxMappings ? undefined : new Table(p.gen, maps);
    }
  }

  /** A new process forked from `parent`: it starts with the parent's mappings. */
  forked(parent: ProcessKey, child: ProcessKey): void {
    const table = this.procs.get(parent)?.table;
    if (!table) return;
    const c = this.entry(child);
    c.gen = this.tick();
    c.table = new Table(c.gen, table.maps);
  }

  /** What an event of process `key` is unwound with: its mappings now. */
  now(key: ProcessKey): MappingsFor {
    const p = this.procs.get(key);
    if (!p) return { gen: 0 };
    return p.table ? { gen: p.table.gen, mappings: p.table.encoded } : { gen: p.gen };
  }

  /**
   * A successful exec of process `key` (its record comes after those of the new program's
   * mappings): what its stack, the caller's in the former program, is unwound with. undefined
   * when those mappings are not known whole.
   */
  execed(key: ProcessKey): MappingsFor | undefined {
    const p = this.entry(key);
    const before = p.beforeExec;
    p.beforeExec = undefined;
    // without records of the new program's mappings, /proc/PID/maps must be read again
    if (!p.table) p.gen = this.tick();
    return before && { gen: before.gen, mappings: before.encoded };
  }

  /** The process is gone: the requests already sent carry the mappings they need. */
  exited(key: ProcessKey): void {
    this.procs.delete(key);
  }

  /** Processes with an entry (for tests of the bound). */
  get size(): number {
    return this.procs.size;
  }

  private tick(): number {
    this.clock = this.clock >= 0xffffffff ? 1 : this.clock + 1;
    return this.clock;
  }

  private entry(key: ProcessKey): ProcessMaps {
    let p = this.procs.get(key);
    if (p) {
      // most recently changed last: the first is the one dropped when full
      this.procs.delete(key);
    } else {
      if (this.procs.size >= this.maxProcesses) this.procs.delete(this.procs.keys().next().value!);
      p = { gen: 0 };
    }
    this.procs.set(key, p);
    return p;
  }
}
