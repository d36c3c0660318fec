/*
 * The frames exchanged with lens-symbolize (remote-agent/native/protocol.h
 * defines them; test/unit/agent/symbolize-wire.test.ts checks these numbers
 * against that header): a little-endian u32 byte count, then the body.
 */

export const REQ_UNWIND = 1;
export const REQ_FORGET = 2;
/** x86_64 DWARF register numbers 0..16, the order the request carries them in */
export const DWARF_REGS = ['ax', 'dx', 'cx', 'bx', 'si', 'di', 'bp', 'sp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'ip'] as const;
export const NREGS = DWARF_REGS.length;
export const REQ_HEADER_BYTES = 4 * 4 + 8 + 4 + 4 + NREGS * 8 + 8;
export const MAX_STACK = 64 * 1024;
/** bytes of the mappings section after the stack, at most (a larger table is not sent: the helper reads /proc/PID/maps) */
export const MAX_MAPPINGS_BYTES = 256 * 1024;
/** fixed bytes of one mapping in the section (its path follows) */
export const MAPPING_BYTES = 8 * 5 + 4 + 4 + 2 + 2;
/** mapping flags */
export const MAPPING_DELETED = 1;
export const ANS_TRUNCATED = 1;
export const FRAME_INLINED = 1;

/** x86_64 user registers, named as in the kernel's pt_regs; a missing one is sent as 0. */
export type UserRegs = Partial<Record<(typeof DWARF_REGS)[number], bigint>>;

/**
 * Byte offsets of the registers in the kernel's x86_64 struct pt_regs (21 u64:
 * r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss),
 * the bytes bpf_task_pt_regs() points at.
 */
export const PT_REGS_OFFSETS: Record<(typeof DWARF_REGS)[number], number> = {
  r15: 0, r14: 8, r13: 16, r12: 24, bp: 32, bx: 40, r11: 48, r10: 56, r9: 64, r8: 72,
  ax: 80, cx: 88, dx: 96, si: 104, di: 112, ip: 128, sp: 152,
};
export const PT_REGS_BYTES = 21 * 8;

/** What the helper needs to unwind one event's stack. */
export interface UnwindRequest {
  id: number;
  pid: number;
  /** the thread that made the call (0: the process's main thread) */
  tid: number;
  /** the process's kernel start time: (pid, start) names the process */
  start: bigint;
  /** mappings generation: bump it after the process execs or maps new code */
  gen: number;
  /** the registers as values, or as the kernel's pt_regs bytes (faster: copied, never converted) */
  regs: UserRegs | Uint8Array;
  /** user address of stack[0] (the sp when the kernel copied it) */
  stackAddr: bigint;
  stack: Uint8Array;
  /** the process's mappings at the event (encodeMappings); absent: the helper reads /proc/PID/maps */
  mappings?: Uint8Array;
}

/** One executable file mapping of a process (from the probe's mmap records). */
export interface Mapping {
  start: bigint;
  end: bigint;
  /** file offset mapped at start */
  pgoff: bigint;
  /** the file mapped: inode, modification time, kernel dev_t */
  ino: bigint;
  mtimeSec: bigint;
  mtimeNsec: number;
  dev: number;
  /** already unlinked when mapped */
  deleted: boolean;
  /** the file's path, as bytes */
  path: Buffer;
}

/**
 * A process's mappings as the section a request may carry after its stack: u32 count, then
 * per mapping u64 start, end, pgoff, ino, s64 mtime_sec, u32 mtime_nsec, u32 dev, u16 flags,
 * u16 path length and the path's bytes.
 */
export function encodeMappings(maps: readonly Mapping[]): Buffer {
  const b = Buffer.allocUnsafe(4 + maps.reduce((n, m) => n + MAPPING_BYTES + m.path.length, 0));
  let at = b.writeUInt32LE(maps.length, 0);
  for (const m of maps) {
    at = b.writeBigUInt64LE(m.start, at);
    at = b.writeBigUInt64LE(m.end, at);
    at = b.writeBigUInt64LE(m.pgoff, at);
    at = b.writeBigUInt64LE(m.ino, at);
    at = b.writeBigInt64LE(m.mtimeSec, at);
    at = b.writeUInt32LE(m.mtimeNsec, at);
    at = b.writeUInt32LE(m.dev, at);
    at = b.writeUInt16LE(m.deleted ? MAPPING_DELETED : 0, at);
    at = b.writeUInt16LE(m.path.length, at);
    at += m.path.copy(b, at);
  }
  return b;
}

/** One frame as the helper reports it. */
export interface WireFrame {
  pc: bigint;
  /** 0 when unknown */
  line: number;
  /** 0 when unknown */
  column: number;
  inlined: boolean;
  function: string;
  file: string;
  module: string;
  /** why the frame has no line ('' when it has one) */
  reason: string;
}

export interface Answer {
  id: number;
  truncated: boolean;
  /** why the frames stop before the outermost one ('' when they do not) */
  truncation: string;
  /** why nothing is known about the process ('' when something is) */
  error: string;
  frames: WireFrame[];
}

function header(type: number, id: number, pid: number, tid: number, start: bigint, gen: number, stackLen: number, extra = 0): Buffer {
  // every byte is written below or by the caller (registers, stack address)
  const b = Buffer.allocUnsafe(4 + REQ_HEADER_BYTES);
  b.writeUInt32LE(REQ_HEADER_BYTES + stackLen + extra, 0);
  b.writeUInt32LE(type, 4);
  b.writeUInt32LE(id, 8);
  b.writeUInt32LE(pid, 12);
  b.writeUInt32LE(tid, 16);
  b.writeBigUInt64LE(start, 20);
  b.writeUInt32LE(gen, 28);
  b.writeUInt32LE(stackLen, 32);
  return b;
}

/**
 * The frame asking to unwind and symbolize one stack snapshot, as pieces to
 * write one after the other: the header, the stack bytes as given (not
 * copied: a snapshot is usually a view into the probe's packet), and the
 * process's mappings when known.
 */
export function encodeUnwind(req: UnwindRequest): Uint8Array[] {
  if (req.stack.length > MAX_STACK) throw new RangeError(`stack snapshot of ${req.stack.length} bytes is over the helper's limit of ${MAX_STACK}`);
  const maps = req.mappings && req.mappings.length <= MAX_MAPPINGS_BYTES ? req.mappings : undefined;
  const b = header(REQ_UNWIND, req.id, req.pid, req.tid, req.start, req.gen, req.stack.length, maps?.length ?? 0);
  let at = 36;
  const regs = req.regs;
  if (regs instanceof Uint8Array) {
    if (regs.length < PT_REGS_BYTES) throw new RangeError(`pt_regs of ${regs.length} bytes is shorter than x86_64's ${PT_REGS_BYTES}`);
    for (const name of DWARF_REGS) {
      const from = PT_REGS_OFFSETS[name];
      b.set(regs.subarray(from, from + 8), at);
      at += 8;
    }
  } else {
    for (const name of DWARF_REGS) {
      b.writeBigUInt64LE(BigInt.asUintN(64, regs[name] ?? 0n), at);
      at += 8;
    }
  }
  b.writeBigUInt64LE(BigInt.asUintN(64, req.stackAddr), at);
  return maps ? [b, req.stack, maps] : [b, req.stack];
}

/** The frame telling the helper a process is gone (its cached modules are dropped). */
export function encodeForget(id: number, pid: number, start: bigint): Buffer {
  return header(REQ_FORGET, id, pid, 0, start, 0, 0).fill(0, 36);
}

class Reader {
  at = 0;
  constructor(private readonly b: Buffer) {}
  u8(): number { return this.b.readUInt8(this.take(1)); }
  u16(): number { return this.b.readUInt16LE(this.take(2)); }
  u32(): number { return this.b.readUInt32LE(this.take(4)); }
  u64(): bigint { return this.b.readBigUInt64LE(this.take(8)); }
  str(): string {
    const n = this.u16();
    const from = this.take(n);
    return this.b.toString('utf8', from, from + n);
  }
  private take(n: number): number {
    if (this.at + n > this.b.length) throw new RangeError(`answer body ends at byte ${this.b.length}, field needs ${this.at + n}`);
    const from = this.at;
    this.at += n;
    return from;
  }
}

/** Decodes one answer body (the bytes after its length). */
export function decodeAnswer(body: Buffer): Answer {
  const r = new Reader(body);
  const id = r.u32();
  const flags = r.u16();
  const count = r.u16();
  const truncation = r.str();
  const error = r.str();
  const frames: WireFrame[] = [];
  for (let i = 0; i < count; i++) {
    const pc = r.u64();
    const line = r.u32();
    const column = r.u32();
    const frameFlags = r.u8();
    frames.push({ pc, line, column, inlined: (frameFlags & FRAME_INLINED) !== 0, function: r.str(), file: r.str(), module: r.str(), reason: r.str() });
  }
  return { id, truncated: (flags & ANS_TRUNCATED) !== 0, truncation, error, frames };
}

/**
 * Cuts a byte stream into answer bodies, however the chunks fall. Bodies are
 * views into the chunks; only a frame split across chunks is copied (so a
 * large chunk is never copied whole).
 */
export class AnswerSplitter {
  private partial: Buffer | undefined;

  push(chunk: Buffer): Buffer[] {
    const bodies: Buffer[] = [];
    let at = 0;
    // first complete the frame the last chunk ended in: its length, then its body
    while (this.partial) {
      const p = this.partial;
      if (p.length >= 4 && p.length === 4 + p.readUInt32LE(0)) {
        bodies.push(p.subarray(4));
        this.partial = undefined;
        break;
      }
      const need = p.length < 4 ? 4 : 4 + p.readUInt32LE(0);
      const take = Math.min(need - p.length, chunk.length - at);
      if (take === 0) return bodies;
      this.partial = Buffer.concat([p, chunk.subarray(at, at + take)]);
      at += take;
    }
    while (chunk.length - at >= 4) {
      const len = chunk.readUInt32LE(at);
      if (chunk.length - at - 4 < len) break;
      bodies.push(chunk.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    if (at < chunk.length) this.partial = Buffer.from(chunk.subarray(at));
    return bodies;
  }
}
