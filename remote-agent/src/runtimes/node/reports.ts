/*
 * The agent's reading of preload report lines (preload.ts): each report
 * with its frames named (file ids resolved per writer thread), the hello of
 * each Node process, and the reports each writer says it dropped.
 */
import { fileURLToPath } from 'node:url';
import type { PreloadHello, PreloadReport } from './preload';

/** One JS frame as the preload saw it (file as V8 names it: a path, a file: URL or node:…). */
export interface RawJsFrame { file?: string; line: number; column: number; function?: string }

/** One call the preload reported. */
export interface NodeReport {
  pid: number;
  tid: number;
  /** CLOCK_MONOTONIC ns, the clock of the kernel records */
  ns: number;
  op: PreloadReport['o'];
  args: Array<string | number>;
  mode: 'e' | 'r' | 'p';
  sync: boolean;
  frames: RawJsFrame[];
  truncated: boolean;
}

/** What one line was. */
export type ReportLine =
  | { type: 'report'; report: NodeReport; lost: number }
  | { type: 'hello'; pid: number; tid: number }
  | { type: 'malformed' };

/** At most this many files are named per writer thread; beyond, frames lose their file. */
const MAX_FILES_PER_WRITER = 20000;
/** Stacks kept to be shared by the reports that repeat them (a loop reports one stack again and again). */
const MAX_SHARED_STACKS = 4096;

/** Parses report lines; keeps each writer thread's file table. */
export class ReportReader {
  private readonly files = new Map<string, Map<number, string>>();
  private readonly stacks = new Map<string, RawJsFrame[]>();

  line(text: string): ReportLine {
    let v: PreloadReport | PreloadHello;
    try {
      v = JSON.parse(text) as PreloadReport | PreloadHello;
    } catch {
      return { type: 'malformed' };
    }
    if (!v || typeof v !== 'object' || typeof v.p !== 'number' || typeof v.w !== 'number') return { type: 'malformed' };
    const writer = `${v.p}:${v.w}`;
    if (v.t === 'h') {
      this.files.delete(writer); // a new program in this pid: ids start again
      return { type: 'hello', pid: v.p, tid: v.w };
    }
    if (v.t !== 'r' || !Array.isArray(v.k) || typeof v.n !== 'number') return { type: 'malformed' };
    let table = this.files.get(writer);
    if (!table) this.files.set(writer, table = new Map());
    if (v.f) for (const [id, file] of Object.entries(v.f)) if (table.size < MAX_FILES_PER_WRITER) table.set(Number(id), String(file));
    // the preload writes the frames last: the same text is the same stack of this writer
    const shareKey = v.f ? undefined : writer + text.slice(text.lastIndexOf(',"k":'));
    let frames = shareKey === undefined ? undefined : this.stacks.get(shareKey);
    if (!frames) {
      frames = this.frames(v.k, table);
      if (shareKey !== undefined) {
        if (this.stacks.size >= MAX_SHARED_STACKS) this.stacks.clear();
        this.stacks.set(shareKey, frames);
      }
    }
    const report: NodeReport = {
      pid: v.p, tid: v.w, ns: v.n, op: v.o, args: Array.isArray(v.a) ? v.a : [], mode: v.m ?? 'e', sync: v.s === 1, frames, truncated: v.x === 1,
    };
    return { type: 'report', report, lost: typeof v.l === 'number' ? v.l : 0 };
  }

  private frames(k: PreloadReport['k'], table: Map<number, string>): RawJsFrame[] {
    return k.map(([id, line, column, fn]): RawJsFrame => {
      const f: RawJsFrame = { line, column };
      const file = id >= 0 ? table.get(id) : undefined;
      if (file !== undefined) f.file = file.startsWith('file://') ? safePath(file) : file;
      if (fn) f.function = fn;
      return f;
    });
  }

  /** Forgets a process's writers (it exited). */
  forget(pid: number): void {
    for (const k of this.files.keys()) if (k.startsWith(`${pid}:`)) this.files.delete(k);
  }
}

function safePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}
