/*
 * Finds CPython in a running process, outside the probe: the ELF object
 * that defines _PyRuntime (the python binary, or libpython), its load
 * address from /proc/PID/maps, the exact version (Py_Version, 3.11+), and
 * from that version's layout (py-layouts.ts) where the probe walks the
 * frame chain and where the agent reads code objects.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { PyWalkOffsets } from '../../../decode/commands';
import { PY_NONE } from '../../../decode/layout';
import { readElf, type ElfFacts } from './elf-symbols';
import type { HostFacts, Mapping, ProcessMemory } from '../../../backend/backend';
import { versionText, type PyLayout } from './py-layouts';

/** Where a code object's parts are, for one process. */
export interface CodeLayout {
  /** &PyCode_Type in this process: a code object's ob_type */
  codeType: number;
  obType: number; filename: number; qualname: number; name: number; firstlineno: number; linetable: number; adaptive: number;
  bytesSize: number; bytesData: number;
  uniLength: number; uniState: number; uniAsciiSize: number; uniCompactSize: number; kindMask: number; compactMask: number; asciiMask: number;
}

/** A Python process as the probe and the code reader need it. */
export interface PyRuntime {
  version: string;
  /** address of _PyRuntime.interpreters.head */
  head: number;
  offsets: PyWalkOffsets;
  code: CodeLayout;
}

/** What a process is, Python-wise, now. */
export type PyInspection =
  | { python: PyRuntime }
  /** not (yet) Python: `wait` when its loader has still to map the libpython it needs */
  | { notPython: true; wait: boolean }
  /** Python, but its frames cannot be read: why */
  | { unsupported: string };

const SYMBOLS = ['_PyRuntime', 'PyCode_Type', 'Py_Version'] as const;
const LIBPYTHON = /^libpython3\.\d+/;

/** ELF facts per file (path, inode and mtime): a program's many processes parse it once. */
const elfCache = new Map<string, ElfFacts | Error>();

function elfOf(host: HostFacts, pid: number, file: string): ElfFacts | undefined {
  const real = host.fileAs(pid, file);
  let key: string;
  try { const st = statSync(real); key = `${file}:${st.ino}:${st.mtimeMs}`; } catch { return undefined; }
  let facts = elfCache.get(key);
  if (!facts) {
    try { facts = readElf(real, SYMBOLS); } catch (e) { facts = e as Error; }
    if (elfCache.size > 256) elfCache.clear();
    elfCache.set(key, facts);
  }
  return facts instanceof Error ? undefined : facts;
}

/** The load bias of `file` in the process: mapping start minus the address its segment was linked at. */
function biasOf(maps: Mapping[], file: string, facts: ElfFacts, addr: number): number | undefined {
  const seg = facts.loads.find((s) => addr >= s.vaddr && addr < s.vaddr + s.memsz);
  if (!seg) return undefined;
  const page = 4096;
  const m = maps.find((x) => x.path === file && x.offset === Math.floor(seg.offset / page) * page);
  return m ? m.start - Math.floor(seg.vaddr / page) * page : undefined;
}

function u64(b: Buffer, o: number): number { return Number(b.readBigUInt64LE(o)); }

/** Inspects a process: whether it runs CPython, and if so where its frames are. */
export function inspectPython(host: HostFacts, pid: number, mem: ProcessMemory, layouts: readonly PyLayout[]): PyInspection {
  const maps = host.mappings(pid);
  const ino = host.exeInode(pid);
  if (!maps || ino === undefined) return { notPython: true, wait: false };
  const exe = maps.find((m) => m.inode === ino)?.path;
  const files = [...new Set([...(exe ? [exe] : []), ...maps.filter((m) => LIBPYTHON.test(path.basename(m.path))).map((m) => m.path)])];
  for (const file of files) {
    const facts = elfOf(host, pid, file);
    const runtime = facts?.symbols.get('_PyRuntime');
    if (!facts || runtime === undefined) continue;
    const bias = biasOf(maps, file, facts, runtime);
    if (bias === undefined) return { notPython: true, wait: true };
    return runtimeOf(mem, layouts, facts, bias + runtime, bias, file);
  }
  // a program linked with libpython whose loader has not mapped it yet
  const exeFacts = exe ? elfOf(host, pid, exe) : undefined;
  return { notPython: true, wait: !!exeFacts?.needed.some((n) => LIBPYTHON.test(n)) };
}

function runtimeOf(mem: ProcessMemory, layouts: readonly PyLayout[], facts: ElfFacts, runtime: number, bias: number, file: string): PyInspection {
  const versionAt = facts.symbols.get('Py_Version');
  const codeType = facts.symbols.get('PyCode_Type');
  if (versionAt === undefined || codeType === undefined) return { unsupported: `${file} is a Python older than 3.11 (no Py_Version): Python frames of attached processes need 3.11 or newer` };
  const vb = mem.read(bias + versionAt, 4);
  if (!vb) return { unsupported: `cannot read the Python version of ${file} in the process's memory` };
  const hex = vb.readUInt32LE(0);
  const version = versionText(hex);
  const minor = hex >>> 16;
  if (minor < 0x030b) return { unsupported: `Python ${version}: Python frames of attached processes need 3.11 or newer` };
  const exact = layouts.find((l) => l.version_hex === hex);
  const known = layouts.map((l) => l.version).join(', ') || 'none';
  if (minor >= 0x030d) {
    const same = exact ?? layouts.find((l) => l.version_hex >>> 16 === minor && l.debug_size !== undefined);
    if (!same) return { unsupported: `Python ${version}: this agent was built without the headers of any ${versionText(hex & 0xffff0000).replace(/\.0$/, '')} (it knows ${known}); install them and rebuild (make -C remote-agent/native)` };
    return fromDebugOffsets(mem, same, runtime, bias + codeType, version, minor);
  }
  if (!exact || exact.runtime_interpreters_head === undefined) {
    return { unsupported: `Python ${version}: this agent has no struct offsets for this exact version (it knows ${known}); install its headers (python3-dev, or the version's own include/) and rebuild (make -C remote-agent/native)` };
  }
  const l = exact;
  return {
    python: {
      version, head: runtime + l.runtime_interpreters_head!, code: codeLayout(l, bias + codeType),
      offsets: {
        interpNext: l.interp_next!, interpThreads: l.interp_threads_head!, threadNext: l.thread_next!, threadTid: l.thread_native_thread_id!,
        threadFrame: l.thread_cframe!, cframeFrame: l.cframe_current_frame!, frameCode: l.frame_code!, framePrevious: l.frame_previous!,
        frameInstr: l.frame_instr!, frameOwner: l.frame_owner!, ownerCstack: l.frame_owned_by_cstack ?? PY_NONE,
      },
    },
  };
}

/* 3.13+: the walk's offsets from the _Py_DebugOffsets at the start of _PyRuntime. */
function fromDebugOffsets(mem: ProcessMemory, l: PyLayout, runtime: number, codeType: number, version: string, minor: number): PyInspection {
  const d = mem.read(runtime, l.debug_size!);
  if (!d || d.toString('latin1', l.debug_cookie!, l.debug_cookie! + 8) !== 'xdebugpy') return { unsupported: `Python ${version}: no _Py_DebugOffsets at _PyRuntime` };
  if (u64(d, l.debug_version!) >>> 16 !== minor) return { unsupported: `Python ${version}: its _Py_DebugOffsets are of another version` };
  if (l.debug_free_threaded !== undefined && u64(d, l.debug_free_threaded) !== 0) return { unsupported: `Python ${version} is a free-threaded build: its frames are not read` };
  const at = (o: number | undefined) => u64(d, o!);
  return {
    python: {
      version, head: runtime + at(l.debug_runtime_interpreters_head), code: codeLayout(l, codeType),
      offsets: {
        interpNext: at(l.debug_interp_next), interpThreads: at(l.debug_interp_threads_head), threadNext: at(l.debug_thread_next),
        threadTid: at(l.debug_thread_native_thread_id), threadFrame: at(l.debug_thread_current_frame), cframeFrame: PY_NONE,
        frameCode: at(l.debug_frame_executable), framePrevious: at(l.debug_frame_previous), frameInstr: at(l.debug_frame_instr_ptr),
        frameOwner: at(l.debug_frame_owner), ownerCstack: l.frame_owned_by_cstack ?? PY_NONE,
      },
    },
  };
}

function codeLayout(l: PyLayout, codeType: number): CodeLayout {
  return {
    codeType, obType: l.ob_type, filename: l.code_filename, qualname: l.code_qualname, name: l.code_name, firstlineno: l.code_firstlineno,
    linetable: l.code_linetable, adaptive: l.code_adaptive, bytesSize: l.bytes_size, bytesData: l.bytes_data,
    uniLength: l.unicode_length, uniState: l.unicode_state, uniAsciiSize: l.unicode_ascii_size, uniCompactSize: l.unicode_compact_size,
    kindMask: l.unicode_kind_mask, compactMask: l.unicode_compact_mask, asciiMask: l.unicode_ascii_mask,
  };
}
