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
export const ANS_TRUNCATED = 1;
export const FRAME_INLINED = 1;

/** x86_64 user registers, named as in the kernel's pt_regs; a missing one is sent as 0. */
export type UserRegs = Partial<Record<(typeof DWARF_REGS)[number], bigint>>;

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
  regs: UserRegs;
  /** user address of stack[0] (the sp when the kernel copied it) */
  stackAddr: bigint;
  stack: Uint8Array;
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

function header(type: number, id: number, pid: number, tid: number, start: bigint, gen: number, stackLen: number): Buffer {
  // every byte is written below or by the caller (registers, stack address)
  const b = Buffer.allocUnsafe(4 + REQ_HEADER_BYTES);
  b.writeUInt32LE(REQ_HEADER_BYTES + stackLen, 0);
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
 * The frame asking to unwind and symbolize one stack snapshot, as two pieces to
 * write one after the other: the header, then the stack bytes as given (not
 * copied: a snapshot is usually a view into the probe's packet).
 */
export function encodeUnwind(req: UnwindRequest): [Buffer, Uint8Array] {
  if (req.stack.length > MAX_STACK) throw new RangeError(`stack snapshot of ${req.stack.length} bytes is over the helper's limit of ${MAX_STACK}`);
  const b = header(REQ_UNWIND, req.id, req.pid, req.tid, req.start, req.gen, req.stack.length);
  let at = 36;
  for (const name of DWARF_REGS) {
    b.writeBigUInt64LE(BigInt.asUintN(64, req.regs[name] ?? 0n), at);
    at += 8;
  }
  b.writeBigUInt64LE(BigInt.asUintN(64, req.stackAddr), at);
  return [b, req.stack];
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

/** Cuts a byte stream into answer bodies, however the chunks fall. */
export class AnswerSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const bodies: Buffer[] = [];
    let at = 0;
    while (this.pending.length - at >= 4) {
      const len = this.pending.readUInt32LE(at);
      if (this.pending.length - at - 4 < len) break;
      bodies.push(this.pending.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    this.pending = this.pending.subarray(at);
    return bodies;
  }
}
