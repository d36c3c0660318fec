/*
 * Code objects read from a Python process's memory (they outlive the call
 * whose frame named them): file, qualified name, first line and location
 * table (PEP 657's format, CPython 3.11+: Objects/locations.md), and the
 * line and column of an instruction in it. Cached per process by address;
 * each use checks the object's header again, so a code object freed and
 * another made at its address is read anew, and anything that is not a code
 * object of this interpreter is refused.
 */
import type { CodeLayout } from './py-runtime';
import type { ProcessMemory } from '../../../backend/backend';

/** What one code object gives its frames. */
export interface CodeInfo {
  file: string;
  function: string;
  /** address of its first instruction (co_code_adaptive) */
  codeStart: number;
  /** per location entry: first code unit, line (-1: none), 0-based column (-1: none) */
  starts: number[];
  lines: number[];
  columns: number[];
  /** the header bytes it was read from */
  header: Buffer;
}

const NAME_MAX = 4096;
const TABLE_MAX = 1 << 20;

function u64(b: Buffer, o: number): number { return Number(b.readBigUInt64LE(o)); }

/** A str object's text, or undefined for one this reader does not know (not compact, too long). */
function readUnicode(mem: ProcessMemory, c: CodeLayout, addr: number): string | undefined {
  const h = mem.read(addr, c.uniCompactSize);
  if (!h) return undefined;
  const length = u64(h, c.uniLength);
  const state = h.readUInt32LE(c.uniState);
  const kind = (state & c.kindMask) / (c.kindMask & -c.kindMask);
  if (!(state & c.compactMask) || length > NAME_MAX || ![1, 2, 4].includes(kind)) return undefined;
  const ascii = (state & c.asciiMask) !== 0;
  const data = mem.read(addr + (ascii ? c.uniAsciiSize : c.uniCompactSize), length * kind);
  if (!data) return undefined;
  if (kind === 1) return data.toString('latin1');
  if (kind === 2) return data.toString('utf16le');
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCodePoint(data.readUInt32LE(i * 4));
  return s;
}

/** A bytes object's contents. */
function readBytes(mem: ProcessMemory, c: CodeLayout, addr: number): Buffer | undefined {
  const h = mem.read(addr, c.bytesData);
  if (!h) return undefined;
  const size = u64(h, c.bytesSize);
  if (size > TABLE_MAX) return undefined;
  return size ? mem.read(addr + c.bytesData, size) : Buffer.alloc(0);
}

/** Parses a location table into entries (Objects/locations.md). */
export function parseLocations(table: Buffer, firstLine: number): Pick<CodeInfo, 'starts' | 'lines' | 'columns'> {
  const starts: number[] = [], lines: number[] = [], columns: number[] = [];
  let i = 0, unit = 0, line = firstLine;
  const varint = (): number => {
    let shift = 0, v = 0, b: number;
    do { b = table[i++] ?? 0; v += (b & 63) * 2 ** shift; shift += 6; } while (b & 64 && i < table.length);
    return v;
  };
  const svarint = (): number => { const v = varint(); return v & 1 ? -(v >>> 1) : v >>> 1; };
  while (i < table.length) {
    const first = table[i++];
    if (!(first & 0x80)) break; // not an entry start: the table is not what it should be
    const code = (first >> 3) & 15;
    const length = (first & 7) + 1;
    let col = -1, noLine = false;
    if (code === 15) noLine = true;
    else if (code === 14) { line += svarint(); varint(); col = varint() - 1; varint(); }
    else if (code === 13) line += svarint();
    else if (code >= 10) { line += code - 10; col = table[i++]; i++; }
    else { const second = table[i++]; col = code * 8 + ((second >> 4) & 7); }
    starts.push(unit); lines.push(noLine ? -1 : line); columns.push(col);
    unit += length;
  }
  starts.push(unit);
  return { starts, lines, columns };
}

/** Reads (or takes from the cache, checked) the code object at addr; a string says why it cannot. */
export function readCode(mem: ProcessMemory, c: CodeLayout, addr: number, cache: Map<number, CodeInfo>): CodeInfo | string {
  const header = mem.read(addr, c.adaptive);
  if (!header) return 'the code object could not be read (the process exited or replaced its program)';
  const cached = cache.get(addr);
  if (cached && cached.header.equals(header)) return cached;
  if (u64(header, c.obType) !== c.codeType) return 'the frame\'s code object is gone (not a code object at its address any more)';
  const file = readUnicode(mem, c, u64(header, c.filename));
  const fn = readUnicode(mem, c, u64(header, c.qualname)) ?? readUnicode(mem, c, u64(header, c.name));
  const table = readBytes(mem, c, u64(header, c.linetable));
  if (file === undefined || fn === undefined || !table) return 'the code object\'s file, name or line table could not be read';
  const info: CodeInfo = { file, function: fn, codeStart: addr + c.adaptive, header, ...parseLocations(table, header.readInt32LE(c.firstlineno)) };
  if (cache.size >= 20000) cache.clear();
  cache.set(addr, info);
  return info;
}

/** The 1-based line and column of the instruction at `instr`, or undefined (not in the code, or no line). */
export function locate(info: CodeInfo, instr: number): { line: number; column?: number } | undefined {
  const unit = (instr - info.codeStart) / 2;
  if (!Number.isInteger(unit) || unit < 0) return undefined;
  const { starts } = info;
  let lo = 0, hi = starts.length - 2;
  if (hi < 0 || unit >= starts[hi + 1]) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= unit) lo = mid; else hi = mid - 1;
  }
  const line = info.lines[lo];
  if (line < 1) return undefined;
  const col = info.columns[lo];
  return col >= 0 ? { line, column: col + 1 } : { line };
}
