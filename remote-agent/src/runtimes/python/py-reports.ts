/*
 * The agent's reading of the Python bootstrap's report lines (bootstrap.ts):
 * each report with its frames as protocol frames, and the hello each Python
 * program sends when it starts in a pid.
 */
import { packageOfPath } from '../../model/packages';
import type { Frame } from '../../protocol';

/** What a report is about: its audit event, grouped. */
export type PyOp = 'fs' | 'spawn' | 'exec' | 'thread' | 'connect' | 'bind' | 'udp' | 'dns';
const OPS = new Set<string>(['fs', 'spawn', 'exec', 'thread', 'connect', 'bind', 'udp', 'dns']);

/** One call the audit hook reported. */
export interface PyReport {
  pid: number;
  tid: number;
  /** CLOCK_MONOTONIC ns, the clock of the kernel records */
  ns: number;
  op: PyOp;
  /** paths, a program, a host and port, or a name, as the call passed them */
  args: Array<string | number>;
  /** innermost first */
  frames: Frame[];
  truncated: boolean;
}

/** What one line was. */
export type PyLine =
  | { type: 'report'; report: PyReport; lost: number }
  | { type: 'hello'; pid: number }
  | { type: 'malformed' };

interface RawLine { t?: unknown; p?: unknown; w?: unknown; n?: unknown; o?: unknown; a?: unknown; k?: unknown; x?: unknown; l?: unknown }

/** Parses one report line. */
export function parsePyLine(text: string): PyLine {
  let v: RawLine;
  try {
    v = JSON.parse(text) as RawLine;
  } catch {
    return { type: 'malformed' };
  }
  if (!v || typeof v !== 'object' || typeof v.p !== 'number' || typeof v.w !== 'number') return { type: 'malformed' };
  if (v.t === 'h') return { type: 'hello', pid: v.p };
  if (v.t !== 'r' || typeof v.n !== 'number' || typeof v.o !== 'string' || !OPS.has(v.o) || !Array.isArray(v.a) || !Array.isArray(v.k)) {
    return { type: 'malformed' };
  }
  const frames: Frame[] = [];
  for (const k of v.k as unknown[]) {
    if (!Array.isArray(k) || typeof k[0] !== 'string' || typeof k[1] !== 'number' || typeof k[2] !== 'number') return { type: 'malformed' };
    frames.push(pythonFrame(k[0], k[1], k[2], typeof k[3] === 'string' ? k[3] : undefined));
  }
  const args = (v.a as unknown[]).filter((a): a is string | number => typeof a === 'string' || typeof a === 'number');
  const report: PyReport = { pid: v.p, tid: v.w, ns: v.n, op: v.o as PyOp, args, frames, truncated: v.x === 1 };
  return { type: 'report', report, lost: typeof v.l === 'number' ? v.l : 0 };
}

/** A protocol frame for one Python frame (column 0: unknown); its module is its file (the script or module the code is in). */
export function pythonFrame(file: string, line: number, column: number, fn: string | undefined): Frame {
  const f: Frame = { kind: 'python', file, module: file };
  if (line > 0) f.line = line;
  else f.reason = 'the interpreter gave no line for this frame';
  if (line > 0 && column > 0) f.column = column;
  if (fn) f.function = fn;
  const pkg = packageOfPath(file);
  if (pkg) f.package = pkg.name;
  return f;
}
