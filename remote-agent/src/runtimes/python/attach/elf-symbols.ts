/*
 * The little of an ELF file that finding CPython in a process needs: the
 * values of a few dynamic symbols (.dynsym: _PyRuntime, PyCode_Type,
 * Py_Version), the loadable segments (to turn a symbol into an address with
 * the mapping's load address) and the DT_NEEDED libraries. ELF64
 * little-endian only; read in the agent, never in the privileged probe.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** One PT_LOAD segment. */
export interface LoadSegment { vaddr: number; offset: number; memsz: number }

export interface ElfFacts {
  /** the wanted symbols that are defined, by name */
  symbols: Map<string, number>;
  loads: LoadSegment[];
  /** DT_NEEDED sonames */
  needed: string[];
}

const SHT_DYNAMIC = 6;
const SHT_DYNSYM = 11;
const PT_LOAD = 1;
const DT_NEEDED = 1;
/** Sections this big or bigger are not read (no real .dynsym or .dynstr is). */
const SECTION_MAX = 64 << 20;

function u64(b: Buffer, o: number): number {
  return Number(b.readBigUInt64LE(o));
}

/** Reads `names`' values and the segments of the ELF file at `file`; throws saying what is wrong with it. */
export function readElf(file: string, names: readonly string[]): ElfFacts {
  const fd = openSync(file, 'r');
  try {
    const read = (pos: number, len: number): Buffer => {
      if (len < 0 || len > SECTION_MAX) throw new Error(`${file}: an ELF part of ${len} bytes`);
      const b = Buffer.alloc(len);
      if (readSync(fd, b, 0, len, pos) !== len) throw new Error(`${file}: ends inside its ELF headers`);
      return b;
    };
    const eh = read(0, 64);
    if (eh.readUInt32BE(0) !== 0x7f454c46 || eh[4] !== 2 || eh[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file`);
    const phoff = u64(eh, 32), shoff = u64(eh, 40);
    const phentsize = eh.readUInt16LE(54), phnum = eh.readUInt16LE(56), shentsize = eh.readUInt16LE(58), shnum = eh.readUInt16LE(60);
    const loads: LoadSegment[] = [];
    const ph = read(phoff, phentsize * phnum);
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      if (ph.readUInt32LE(o) === PT_LOAD) loads.push({ offset: u64(ph, o + 8), vaddr: u64(ph, o + 16), memsz: u64(ph, o + 40) });
    }
    const sh = read(shoff, shentsize * shnum);
    const section = (i: number) => ({ type: sh.readUInt32LE(i * shentsize + 4), offset: u64(sh, i * shentsize + 24), size: u64(sh, i * shentsize + 32), link: sh.readUInt32LE(i * shentsize + 40) });
    const symbols = new Map<string, number>();
    const needed: string[] = [];
    const want = new Set(names);
    for (let i = 0; i < shnum; i++) {
      const s = section(i);
      if (s.type !== SHT_DYNSYM && s.type !== SHT_DYNAMIC) continue;
      const strs = section(s.link);
      const str = read(strs.offset, strs.size);
      const name = (at: number) => str.toString('latin1', at, Math.max(at, str.indexOf(0, at)));
      const data = read(s.offset, s.size);
      if (s.type === SHT_DYNSYM) {
        for (let o = 0; o + 24 <= data.length; o += 24) {
          const n = name(data.readUInt32LE(o));
          if (want.has(n) && data.readUInt16LE(o + 6) !== 0) symbols.set(n, u64(data, o + 8));
        }
      } else {
        for (let o = 0; o + 16 <= data.length; o += 16) {
          if (data.readBigInt64LE(o) === BigInt(DT_NEEDED)) needed.push(name(u64(data, o + 8)));
        }
      }
    }
    return { symbols, loads, needed };
  } finally {
    closeSync(fd);
  }
}
