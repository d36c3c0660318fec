/*
 * Builds probe output byte for byte from the layout table: records and
 * packets as lens-probe writes them. Used by the decoder benchmark and the
 * agent's unit tests to exercise the decoder without a kernel.
 */
import { ABI_VERSION, Flag, PacketType, Kind, LAYOUT } from '../decode/layout';

const H = LAYOUT.lens_hdr.fields;

/** lens_hdr fields to set; unset ones get fixed defaults. */
export interface HeaderFields {
  tsNs?: bigint; startNs?: bigint; pid?: number; tid?: number; ppid?: number; uid?: number; flags?: number; comm?: string;
}

function cstr(buf: Buffer, off: number, max: number, s: string): void {
  const b = Buffer.from(s, 'utf8');
  b.copy(buf, off, 0, Math.min(b.length, max - 1));
}

/** A zeroed record of `size` bytes with its header filled in. */
export function record(kind: number, size: number, h: HeaderFields = {}): Buffer {
  const b = Buffer.alloc(size);
  b.writeBigUInt64LE(h.tsNs ?? 1_000_000_000n, H.ts_ns);
  b.writeBigUInt64LE(h.startNs ?? 500_000_000n, H.start_ns);
  b.writeUInt32LE(h.pid ?? 100, H.pid);
  b.writeUInt32LE(h.tid ?? h.pid ?? 100, H.tid);
  b.writeUInt32LE(h.ppid ?? 1, H.ppid);
  b.writeUInt32LE(h.uid ?? 0, H.uid);
  b.writeUInt16LE(kind, H.kind);
  b.writeUInt16LE(h.flags ?? 0, H.flags);
  b.writeUInt16LE(size, H.size);
  cstr(b, H.comm, 16, h.comm ?? 'test');
  return b;
}

/** What struct lens_mmap_event says of one code mapping. */
export interface MmapFields { start: bigint; end: bigint; pgoff?: bigint; ino?: bigint; mtimeSec?: bigint; mtimeNsec?: number; dev?: number; mapFlags?: number; path: string }

/** struct lens_mmap_event */
export function mmapRecord(m: MmapFields, h: HeaderFields = {}): Buffer {
  const L = LAYOUT.lens_mmap_event;
  const b = withNames(Kind.MMAP, L.fields.names, [[L.fields.path_len, nameBytes(m.path)]], h);
  b.writeBigUInt64LE(m.start, L.fields.start);
  b.writeBigUInt64LE(m.end, L.fields.end);
  b.writeBigUInt64LE(m.pgoff ?? 0n, L.fields.pgoff);
  b.writeBigUInt64LE(m.ino ?? 1n, L.fields.ino);
  b.writeBigInt64LE(m.mtimeSec ?? 0n, L.fields.mtime_sec);
  b.writeUInt32LE(m.mtimeNsec ?? 0, L.fields.mtime_nsec);
  b.writeUInt32LE(m.dev ?? 0, L.fields.dev);
  b.writeUInt16LE(m.mapFlags ?? 0, L.fields.map_flags);
  return b;
}

/** A data item of a syscall record: what the kernel read behind argument `arg` (LENS_SYSDATA_* type). */
export interface SyscallData { arg: number; type: number; bytes: Buffer }

/** struct lens_syscall_event, with up to two data items after its fixed part */
export function syscallRecord(nr: number, args: bigint[], ret: bigint, durNs: bigint, h: HeaderFields = {}, data: SyscallData[] = []): Buffer {
  const L = LAYOUT.lens_syscall_event;
  const b = record(Kind.SYSCALL, L.size + data.reduce((n, d) => n + d.bytes.length, 0), h);
  b.writeBigInt64LE(ret, L.fields.ret);
  b.writeBigUInt64LE(durNs, L.fields.dur_ns);
  args.forEach((a, i) => b.writeBigUInt64LE(BigInt.asUintN(64, a), L.fields.args + i * 8));
  b.writeUInt16LE(nr, L.fields.nr);
  let off: number = L.fields.data;
  data.forEach((d, k) => {
    b[L.fields.data_arg + k] = (d.type << 4) | d.arg;
    b.writeUInt16LE(d.bytes.length, L.fields.data_len + k * 2);
    d.bytes.copy(b, off);
    off += d.bytes.length;
  });
  return b;
}

/** A name as the kernel writes it in a variable-length record: its bytes and a NUL (none for ''). */
function nameBytes(name: string | Buffer): Buffer {
  const b = typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
  return b.length ? Buffer.concat([b, Buffer.alloc(1)]) : b;
}

/** A record with names (events.h): the fixed part, then the names, each *_len written at its offset. */
function withNames(kind: number, fixed: number, names: Array<[lenOffset: number, bytes: Buffer]>, h: HeaderFields): Buffer {
  const size = fixed + names.reduce((n, [, b]) => n + b.length, 0);
  const b = record(kind, size, h);
  let off = fixed;
  for (const [lenOffset, bytes] of names) {
    b.writeUInt16LE(bytes.length, lenOffset);
    bytes.copy(b, off);
    off += bytes.length;
  }
  return b;
}

/** struct lens_exec_event */
export function execRecord(filename: string | Buffer, argv: Array<string | Buffer>, cwd: string, ret = 0, h: HeaderFields = {}): Buffer {
  const L = LAYOUT.lens_exec_event;
  const joined = Buffer.concat(argv.map(nameBytes));
  const b = withNames(Kind.EXEC, L.fields.names, [[L.fields.filename_len, nameBytes(filename)], [L.fields.cwd_len, nameBytes(cwd)], [L.fields.argv_len, joined]], h);
  b.writeInt32LE(ret, L.fields.ret);
  b.writeUInt32LE(argv.length, L.fields.argc);
  return b;
}

/** struct lens_fork_event */
export function forkRecord(childPid: number, childStartNs: bigint, h: HeaderFields = {}): Buffer {
  const L = LAYOUT.lens_fork_event;
  const b = record(Kind.FORK, L.size, h);
  b.writeUInt32LE(childPid, L.fields.child_pid);
  b.writeUInt32LE(childPid, L.fields.child_tid);
  b.writeBigUInt64LE(childStartNs, L.fields.child_start_ns);
  return b;
}

/** struct lens_exit_event */
export function exitRecord(exitCode: number, signal = 0, h: HeaderFields = {}): Buffer {
  const L = LAYOUT.lens_exit_event;
  const b = record(Kind.EXIT, L.size, h);
  b.writeInt32LE(exitCode, L.fields.exit_code);
  b.writeUInt32LE(signal, L.fields.signal);
  return b;
}

/** struct lens_open_event */
export function openRecord(path: string | Buffer, dir: string, flags: number, ret: number, h: HeaderFields = {}, nr = 257, mode = 0): Buffer {
  const L = LAYOUT.lens_open_event;
  const b = withNames(Kind.OPEN, L.fields.names, [[L.fields.path_len, nameBytes(path)], [L.fields.dir_len, nameBytes(dir)]], h);
  b.writeInt32LE(ret, L.fields.ret);
  b.writeInt32LE(-100, L.fields.dirfd);
  b.writeUInt32LE(flags, L.fields.flags);
  b.writeUInt32LE(mode, L.fields.mode);
  b.writeUInt32LE(nr, L.fields.syscall_nr);
  return b;
}

/** A struct lens_addr to write. */
export interface Addr { family: number; port: number; ip: number[] }

function writeAddr(b: Buffer, off: number, a: Addr): void {
  b.writeUInt16LE(a.family, off);
  b.writeUInt16LE(a.port, off + 2);
  Buffer.from(a.ip).copy(b, off + 8);
}

/** struct lens_sock_event */
export function sockRecord(kind: number, fd: number, ret: number, local: Addr, remote: Addr, h: HeaderFields = {}, proto = 6): Buffer {
  const L = LAYOUT.lens_sock_event;
  const b = record(kind, L.size, h);
  b.writeInt32LE(ret, L.fields.ret);
  b.writeInt32LE(fd, L.fields.fd);
  b.writeUInt32LE(proto, L.fields.proto);
  writeAddr(b, L.fields.local, local);
  writeAddr(b, L.fields.remote, remote);
  return b;
}

/** struct lens_dns_event */
export function dnsRecord(name: string, answers: Addr[], ret = 0, h: HeaderFields = {}): Buffer {
  const L = LAYOUT.lens_dns_event;
  const b = record(Kind.DNS, L.size, h);
  b.writeInt32LE(ret, L.fields.ret);
  b.writeUInt32LE(answers.length, L.fields.answer_count);
  cstr(b, L.fields.name, 128, name);
  answers.forEach((a, i) => writeAddr(b, L.fields.answers + i * LAYOUT.lens_addr.size, a));
  return b;
}

/** One packet: struct lens_packet + payload. */
export function packet(type: number, payload: Buffer): Buffer {
  const hdr = Buffer.alloc(LAYOUT.lens_packet.size);
  hdr.writeUInt32LE(payload.length, LAYOUT.lens_packet.fields.len);
  hdr.writeUInt16LE(type, LAYOUT.lens_packet.fields.type);
  return Buffer.concat([hdr, payload]);
}

/** A RECORDS packet holding `records` back to back. */
export function recordsPacket(records: Buffer[]): Buffer {
  return packet(PacketType.RECORDS, Buffer.concat(records));
}

/** A HELLO packet. */
export function helloPacket(realtimeOffsetNs: bigint, machine = 'x86_64', abi = ABI_VERSION): Buffer {
  const L = LAYOUT.lens_hello;
  const b = Buffer.alloc(L.size);
  b.writeUInt32LE(abi, L.fields.abi_version);
  b.writeUInt32LE(0xffff, L.fields.kinds_mask);
  b.writeBigInt64LE(realtimeOffsetNs, L.fields.realtime_offset_ns);
  b.writeBigUInt64LE(1n << 24n, L.fields.ringbuf_bytes);
  cstr(b, L.fields.machine, 16, machine);
  return packet(PacketType.HELLO, b);
}

/** A STATS packet with per-kind delivered, dropped and committed counts; final: the probe's last one. */
export function statsPacket(events: Record<number, number>, dropped: Record<number, number>, committed: Record<number, number> = {}, final = false): Buffer {
  const L = LAYOUT.lens_stats;
  const b = Buffer.alloc(L.size);
  for (const [k, n] of Object.entries(events)) b.writeBigUInt64LE(BigInt(n), L.fields.events + Number(k) * 8);
  for (const [k, n] of Object.entries(dropped)) b.writeBigUInt64LE(BigInt(n), L.fields.dropped + Number(k) * 8);
  for (const [k, n] of Object.entries(committed)) b.writeBigUInt64LE(BigInt(n), L.fields.committed + Number(k) * 8);
  b.writeUInt32LE(final ? 1 : 0, L.fields.final);
  return packet(PacketType.STATS, b);
}

/** A TARGET packet. */
export function targetPacket(state: number, pid: number, exitCode = 0, signal = 0): Buffer {
  const L = LAYOUT.lens_target;
  const b = Buffer.alloc(L.size);
  b.writeUInt32LE(state, L.fields.state);
  b.writeUInt32LE(pid, L.fields.pid);
  b.writeInt32LE(exitCode, L.fields.exit_code);
  b.writeUInt32LE(signal, L.fields.signal);
  return packet(PacketType.TARGET, b);
}

/** An ERROR packet. */
export function errorPacket(code: number, errno: number, message: string): Buffer {
  const L = LAYOUT.lens_error;
  const b = Buffer.alloc(L.size);
  b.writeUInt32LE(code, L.fields.code);
  b.writeInt32LE(errno, L.fields.errno_val);
  cstr(b, L.fields.message, 248, message);
  return packet(PacketType.ERROR, b);
}

/** `rec` with a user-stack snapshot appended (struct lens_stack, then `stack`), as lens-probe --stacks writes it. */
export function withStack(rec: Buffer, regs: readonly bigint[], error: number, stack: Buffer): Buffer {
  const S = LAYOUT.lens_stack;
  const snap = Buffer.alloc(S.size + stack.length);
  regs.forEach((v, i) => snap.writeBigUInt64LE(v, S.fields.regs + i * 8));
  snap.writeUInt32LE(error, S.fields.error);
  snap.writeUInt32LE(stack.length, S.fields.len);
  stack.copy(snap, S.size);
  const b = Buffer.concat([rec, snap]);
  b.writeUInt16LE(b.readUInt16LE(H.flags) | Flag.HAS_STACK, H.flags);
  b.writeUInt16LE(b.length, H.size);
  b.writeUInt16LE(snap.length, H.stack_size);
  return b;
}

/** `rec` (its body only: add a stack after) with Python frames appended (struct lens_pystack), as the probe writes them for a registered process. */
export function withPyStack(rec: Buffer, cookie: number, frames: ReadonlyArray<[code: number, instr: number]>, error = 0, flags = 0): Buffer {
  const S = LAYOUT.lens_pystack, F = LAYOUT.lens_pyframe;
  const t = Buffer.alloc(S.size + frames.length * F.size);
  t.writeUInt32LE(cookie, S.fields.cookie);
  t.writeUInt16LE(error, S.fields.error);
  t.writeUInt8(frames.length, S.fields.nframes);
  t.writeUInt8(flags, S.fields.flags);
  frames.forEach(([code, instr], i) => {
    t.writeBigUInt64LE(BigInt(code), S.size + i * F.size + F.fields.code);
    t.writeBigUInt64LE(BigInt(instr), S.size + i * F.size + F.fields.instr);
  });
  const b = Buffer.concat([rec, t]);
  b.writeUInt16LE(b.readUInt16LE(H.flags) | Flag.HAS_PYSTACK, H.flags);
  b.writeUInt16LE(b.length, H.size);
  return b;
}
