/*
 * Decodes the arguments of common syscalls from a syscall-stream record:
 * the six raw registers (flags and modes by name, signals, socket families,
 * 64-bit values exact, pointers in hex, fds shown with the path they refer
 * to from the fd table) and the data items the kernel read behind them
 * (paths, execve argv, sockaddrs), as strace shows them.
 */
import { LAYOUT, SysData } from '../decode/layout';
import type { SyscallRecord } from '../decode/records';
import { cstring, splitNulStrings } from '../decode/strings';
import type { DecodedValue } from '../protocol';
import { signalName } from './errno';
import {
  ACCESS_MODES, AT_FDCWD, AT_FLAGS, CLONE_FLAGS, FCNTL_CMDS, LSEEK_WHENCE, MMAP_PROT,
  familyName, fileMode, formatFlags, mmapFlags, openFlags, protocolName, socketType,
} from './flags';
import type { Arch } from './names';
import { sockaddrText } from './sockaddr';
import { redactArgv } from '../redact/redact';

const SC = LAYOUT.lens_syscall_event.fields;
const TWO_32 = 4294967296;
/* values from 2^53 up (high word 0x200000) are not exact as numbers */
const HI_SAFE = 0x200000;

/** What argument decoding needs from the session: the arch and the fd -> path view of the calling process. */
export interface ArgContext {
  arch: Arch;
  fdPath(pid: number, fd: number): string | undefined;
  /** redact secrets in the argv strings of execve/execveat, as exec events are */
  redact: boolean;
}

/**
 * Reader over the six argument registers and the data items of a syscall record, in place in
 * the probe's buffer. One reader is reused for every record (reset()), so decoding allocates
 * nothing but the values it returns.
 */
export class ArgReader {
  buf: Buffer = Buffer.alloc(SC.data);
  off: number = SC.args;
  /** Points the reader at args[0] of a record. */
  reset(buf: Buffer, argsOff: number): this { this.buf = buf; this.off = argsOff; return this; }
  /** low 32 bits, signed (fds, int flags) */
  s32(i: number): number { const b = this.buf, o = this.off + i * 8; return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24); }
  /** low 32 bits, unsigned */
  u32(i: number): number { return this.s32(i) >>> 0; }
  /** high 32 bits, unsigned */
  hi(i: number): number { const b = this.buf, o = this.off + i * 8 + 4; return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0; }
  /** whole unsigned value: a number below 2^53, else its exact decimal digits */
  num(i: number): number | string {
    const hi = this.hi(i);
    return hi < HI_SAFE ? hi * TWO_32 + this.u32(i) : this.buf.readBigUInt64LE(this.off + i * 8).toString();
  }
  /** whole signed value (off_t, loff_t): a number within ±2^53, else its exact decimal digits */
  snum(i: number): number | string {
    const hi = this.hi(i);
    if (hi < HI_SAFE) return hi * TWO_32 + this.u32(i);
    if (hi >= 0xffe00000) return (hi - TWO_32) * TWO_32 + this.u32(i);
    return this.buf.readBigInt64LE(this.off + i * 8).toString();
  }
  hex(i: number): string { return hex64(this.hi(i), this.u32(i)); }

  /** Which data item (0 or 1) the kernel read behind argument i, or -1. */
  private item(i: number): number {
    const spec = this.off - SC.args + SC.data_arg;
    const b = this.buf;
    if (b[spec] !== 0 && (b[spec] & 0xf) === i) return 0;
    if (b[spec + 1] !== 0 && (b[spec + 1] & 0xf) === i) return 1;
    return -1;
  }

  /** [start, end) of data item k, empty when the kernel could not read it. */
  private span(k: number): [number, number] {
    const rec = this.off - SC.args;
    const len0 = this.buf.readUInt16LE(rec + SC.data_len);
    const start = rec + SC.data + (k ? len0 : 0);
    return [start, start + (k ? this.buf.readUInt16LE(rec + SC.data_len + 2) : len0)];
  }

  /** The string argument i points to (escaped as names are), or undefined when it was not read. */
  str(i: number): string | undefined {
    const k = this.item(i);
    if (k < 0) return undefined;
    const [start, end] = this.span(k);
    return end > start ? cstring(this.buf, start, end - start) : undefined;
  }

  /** The strings of the execve argv argument i points to, or undefined when they were not read. */
  argv(i: number): string[] | undefined {
    const k = this.item(i);
    if (k < 0 || this.buf[this.off - SC.args + SC.data_arg + k] >> 4 !== SysData.ARGV) return undefined;
    const [start, end] = this.span(k);
    return end > start ? splitNulStrings(this.buf, start, end - start) : undefined;
  }

  /** The sockaddr argument i points to, as strace writes it, or undefined when it was not read. */
  sockaddr(i: number): string | undefined {
    const k = this.item(i);
    if (k < 0) return undefined;
    const [start, end] = this.span(k);
    return end > start ? sockaddrText(this.buf, start, end) : undefined;
  }
}

/* Small values (fds, counts, flags) dominate syscall arguments: their text is made once. */
const SMALL_HEX: readonly string[] = Array.from({ length: 4096 }, (_, n) => '0x' + n.toString(16));

/** A 64-bit value given as two 32-bit halves, as `0x…` hex. */
export function hex64(hi: number, lo: number): string {
  if (hi === 0) return lo < 4096 ? SMALL_HEX[lo] : '0x' + lo.toString(16);
  return '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
}

/** Argument i as `0x…` hex, without BigInt. */
export function argHex(r: SyscallRecord, i: number): string {
  const off = r.argsOff + i * 8;
  const b = r.buf;
  const lo = (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
  const hi = (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24)) >>> 0;
  return hex64(hi, lo);
}

/** Syscalls whose result is an address: shown in hex (ret_hex) when they succeed. */
const ADDRESS_RESULTS = new Set(['mmap', 'mremap', 'brk', 'shmat']);

/** The result of syscall `name` in hex when it is an address, else undefined. */
export function retHex(name: string, ret: number): string | undefined {
  if (!ADDRESS_RESULTS.has(name) || (ret < 0 && ret >= -4095)) return undefined;
  return ret >= 0 ? hex64(Math.floor(ret / TWO_32), ret >>> 0) : '0x' + BigInt.asUintN(64, BigInt(ret)).toString(16);
}

/**
 * Where decoded arguments go, in order: an object for the event model, or JSON text written
 * straight into the NDJSON output (the same keys and values either way).
 */
export interface DecodedSink {
  set(key: string, value: DecodedValue): void;
  /** a pointer, hex64(hi, lo) (a sink that writes bytes can do so without making the string) */
  setHex?(key: string, hi: number, lo: number): void;
}

/** Collects decoded arguments into an object (the `decoded` field of a SyscallEvent). */
class ObjectSink implements DecodedSink {
  readonly out: Decoded = {};
  set(key: string, value: DecodedValue): void { this.out[key] = value; }
}

type Decoded = Record<string, DecodedValue>;
type Decoder = (a: ArgReader, ctx: ArgContext, pid: number, out: DecodedSink) => void;

/* Keys whose values are names read from the process (paths, argv): the human output quotes them. */
const STRING_KEYS = new Set<string>();

/** Whether a decoded key holds a string the process passed (a path, an argv, a sockaddr). */
export function isStringArg(key: string): boolean {
  return STRING_KEYS.has(key);
}

function fd(name: string, i: number): Decoder {
  const pathKey = `${name}_path`;
  return (a, ctx, pid, out) => {
    const v = a.s32(i);
    out.set(name, v);
    const p = v >= 0 ? ctx.fdPath(pid, v) : undefined;
    if (p !== undefined) out.set(pathKey, p);
  };
}
function dirfd(i: number, name = 'dirfd'): Decoder {
  const asFd = fd(name, i);
  return (a, ctx, pid, out) => {
    if (a.s32(i) === AT_FDCWD) out.set(name, 'AT_FDCWD');
    else asFd(a, ctx, pid, out);
  };
}
/** A path argument: the string the kernel read, else the pointer in hex. */
function path(name: string, i: number): Decoder {
  STRING_KEYS.add(name);
  return (a, _c, _p, out) => { out.set(name, a.str(i) ?? a.hex(i)); };
}
function argvArg(name: string, i: number): Decoder {
  STRING_KEYS.add(name);
  return (a, ctx, _p, out) => {
    const argv = a.argv(i);
    out.set(name, argv ? (ctx.redact ? redactArgv(argv) : argv) : a.hex(i));
  };
}
function sockaddr(name: string, i: number): Decoder {
  return (a, _c, _p, out) => { out.set(name, a.sockaddr(i) ?? a.hex(i)); };
}
const num = (name: string, i: number): Decoder => (a, _c, _p, out) => { out.set(name, a.num(i)); };
const snum = (name: string, i: number): Decoder => (a, _c, _p, out) => { out.set(name, a.snum(i)); };
const int = (name: string, i: number): Decoder => (a, _c, _p, out) => { out.set(name, a.s32(i)); };
const ptr = (name: string, i: number): Decoder => (a, _c, _p, out) => {
  if (out.setHex) out.setHex(name, a.hi(i), a.u32(i));
  else out.set(name, a.hex(i));
};
const oflags = (i: number): Decoder => (a, ctx, _p, out) => { out.set('flags', openFlags(a.u32(i), ctx.arch)); };
const mode = (i: number): Decoder => (a, _c, _p, out) => { out.set('mode', fileMode(a.u32(i))); };
/** open's mode only matters with O_CREAT or O_TMPFILE (strace omits it otherwise). */
const openMode = (flagsIdx: number, modeIdx: number): Decoder => (a, ctx, p, out) => {
  if (a.u32(flagsIdx) & (0o100 /* O_CREAT */ | 0o20000000 /* __O_TMPFILE, same bit on x86_64 and arm64 */)) mode(modeIdx)(a, ctx, p, out);
};
const atflags = (i: number): Decoder => (a, _c, _p, out) => { out.set('flags', formatFlags(a.u32(i), AT_FLAGS)); };
const sig = (i: number): Decoder => (a, _c, _p, out) => { out.set('sig', signalName(a.u32(i))); };
const map = (name: string, i: number, names: Record<number, string>): Decoder =>
  (a, _c, _p, out) => { const v = a.s32(i); out.set(name, names[v] ?? v); };
const accessMode = (i: number): Decoder => (a, _c, _p, out) => { out.set('mode', formatFlags(a.u32(i), ACCESS_MODES, 'F_OK')); };
const prot = (i: number): Decoder => (a, _c, _p, out) => { out.set('prot', formatFlags(a.u32(i), MMAP_PROT, 'PROT_NONE')); };

const rw = [fd('fd', 0), ptr('buf', 1), num('count', 2)];
const prw = [...rw, snum('offset', 3)];

/* Syscalls decoded by name; every other syscall keeps only its raw args. */
const DECODERS: Record<string, Decoder[]> = {
  read: rw, write: rw, pread64: prw, pwrite64: prw, readv: [fd('fd', 0), ptr('iov', 1), num('iovcnt', 2)], writev: [fd('fd', 0), ptr('iov', 1), num('iovcnt', 2)],
  close: [fd('fd', 0)], fstat: [fd('fd', 0), ptr('statbuf', 1)], fsync: [fd('fd', 0)], fdatasync: [fd('fd', 0)],
  lseek: [fd('fd', 0), snum('offset', 1), map('whence', 2, LSEEK_WHENCE)],
  ioctl: [fd('fd', 0), ptr('request', 1), ptr('arg', 2)],
  fcntl: [fd('fd', 0), map('cmd', 1, FCNTL_CMDS), ptr('arg', 2)],
  dup: [fd('oldfd', 0)], dup2: [fd('oldfd', 0), int('newfd', 1)], dup3: [fd('oldfd', 0), int('newfd', 1), oflags(2)],
  getdents64: [fd('fd', 0), ptr('dirp', 1), num('count', 2)],
  open: [path('pathname', 0), oflags(1), openMode(1, 2)], creat: [path('pathname', 0), mode(1)],
  openat: [dirfd(0), path('pathname', 1), oflags(2), openMode(2, 3)],
  openat2: [dirfd(0), path('pathname', 1), ptr('how', 2), num('size', 3)],
  stat: [path('pathname', 0), ptr('statbuf', 1)], lstat: [path('pathname', 0), ptr('statbuf', 1)],
  newfstatat: [dirfd(0), path('pathname', 1), ptr('statbuf', 2), atflags(3)],
  statx: [dirfd(0), path('pathname', 1), atflags(2), ptr('mask', 3), ptr('statxbuf', 4)],
  statfs: [path('pathname', 0), ptr('buf', 1)],
  access: [path('pathname', 0), accessMode(1)],
  faccessat: [dirfd(0), path('pathname', 1), accessMode(2)],
  faccessat2: [dirfd(0), path('pathname', 1), accessMode(2), atflags(3)],
  readlink: [path('pathname', 0), ptr('buf', 1), num('bufsiz', 2)],
  readlinkat: [dirfd(0), path('pathname', 1), ptr('buf', 2), num('bufsiz', 3)],
  unlink: [path('pathname', 0)], rmdir: [path('pathname', 0)],
  unlinkat: [dirfd(0), path('pathname', 1), atflags(2)],
  rename: [path('oldpath', 0), path('newpath', 1)],
  renameat: [dirfd(0, 'olddirfd'), path('oldpath', 1), dirfd(2, 'newdirfd'), path('newpath', 3)],
  renameat2: [dirfd(0, 'olddirfd'), path('oldpath', 1), dirfd(2, 'newdirfd'), path('newpath', 3), ptr('flags', 4)],
  link: [path('oldpath', 0), path('newpath', 1)],
  linkat: [dirfd(0, 'olddirfd'), path('oldpath', 1), dirfd(2, 'newdirfd'), path('newpath', 3), atflags(4)],
  symlink: [path('target', 0), path('linkpath', 1)],
  symlinkat: [path('target', 0), dirfd(1, 'newdirfd'), path('linkpath', 2)],
  mkdir: [path('pathname', 0), mode(1)], mkdirat: [dirfd(0), path('pathname', 1), mode(2)],
  mknod: [path('pathname', 0), mode(1), ptr('dev', 2)], mknodat: [dirfd(0), path('pathname', 1), mode(2), ptr('dev', 3)],
  chmod: [path('pathname', 0), mode(1)], fchmodat: [dirfd(0), path('pathname', 1), mode(2)],
  fchmodat2: [dirfd(0), path('pathname', 1), mode(2), atflags(3)], fchmod: [fd('fd', 0), mode(1)],
  chown: [path('pathname', 0), int('owner', 1), int('group', 2)], lchown: [path('pathname', 0), int('owner', 1), int('group', 2)],
  fchownat: [dirfd(0), path('pathname', 1), int('owner', 2), int('group', 3), atflags(4)],
  truncate: [path('path', 0), snum('length', 1)], chroot: [path('path', 0)],
  utimes: [path('filename', 0), ptr('times', 1)], utimensat: [dirfd(0), path('pathname', 1), ptr('times', 2), atflags(3)],
  umask: [mode(0)], fchdir: [fd('fd', 0)], ftruncate: [fd('fd', 0), snum('length', 1)],
  brk: [ptr('addr', 0)],
  mremap: [ptr('old_address', 0), num('old_size', 1), num('new_size', 2), ptr('flags', 3), ptr('new_address', 4)],
  mmap: [ptr('addr', 0), num('length', 1), prot(2), (a, _c, _p, out) => { out.set('flags', mmapFlags(a.u32(3))); }, fd('fd', 4), snum('offset', 5)],
  mprotect: [ptr('addr', 0), num('length', 1), prot(2)],
  munmap: [ptr('addr', 0), num('length', 1)],
  socket: [(a, _c, _p, out) => { out.set('domain', familyName(a.u32(0))); }, (a, _c, _p, out) => { out.set('type', socketType(a.u32(1))); },
    (a, _c, _p, out) => { out.set('protocol', protocolName(a.u32(2))); }],
  connect: [fd('fd', 0), sockaddr('addr', 1), num('addrlen', 2)], bind: [fd('fd', 0), sockaddr('addr', 1), num('addrlen', 2)],
  accept: [fd('fd', 0), ptr('addr', 1), ptr('addrlen', 2)], accept4: [fd('fd', 0), ptr('addr', 1), ptr('addrlen', 2), int('flags', 3)],
  listen: [fd('fd', 0), int('backlog', 1)], shutdown: [fd('fd', 0), int('how', 1)],
  sendto: [fd('fd', 0), ptr('buf', 1), num('len', 2), int('flags', 3), sockaddr('dest_addr', 4), num('addrlen', 5)], recvfrom: [fd('fd', 0), ptr('buf', 1), num('len', 2), int('flags', 3)],
  sendmsg: [fd('fd', 0), ptr('msg', 1), int('flags', 2)], recvmsg: [fd('fd', 0), ptr('msg', 1), int('flags', 2)],
  kill: [int('pid', 0), sig(1)], tgkill: [int('tgid', 0), int('tid', 1), sig(2)], tkill: [int('tid', 0), sig(1)],
  rt_sigaction: [sig(0), ptr('act', 1), ptr('oldact', 2)],
  exit: [int('status', 0)], exit_group: [int('status', 0)],
  clone: [(a, _c, _p, out) => {
    const v = a.u32(0);
    const low = v % 256;
    out.set('flags', formatFlags(v - low, CLONE_FLAGS) + (low ? `|${signalName(low)}` : ''));
  }],
  wait4: [int('pid', 0), ptr('wstatus', 1), int('options', 2)],
  execve: [path('filename', 0), argvArg('argv', 1), ptr('envp', 2)],
  execveat: [dirfd(0), path('pathname', 1), argvArg('argv', 2), ptr('envp', 3), atflags(4)],
  chdir: [path('path', 0)], pipe2: [ptr('pipefd', 0), oflags(1)],
  epoll_wait: [fd('epfd', 0), ptr('events', 1), int('maxevents', 2), int('timeout', 3)],
  epoll_pwait: [fd('epfd', 0), ptr('events', 1), int('maxevents', 2), int('timeout', 3)],
  epoll_ctl: [fd('epfd', 0), int('op', 1), fd('fd', 2)],
  sendfile: [fd('out_fd', 0), fd('in_fd', 1), ptr('offset', 2), num('count', 3)],
  copy_file_range: [fd('fd_in', 0), ptr('off_in', 1), fd('fd_out', 2), ptr('off_out', 3), num('len', 4)],
};

const NO_DECODERS: readonly Decoder[] = [];
const decodersByName = new Map<string, readonly Decoder[]>(Object.entries(DECODERS));

/**
 * Decodes the arguments of syscall `name` (the reader at its record) into `out`, in key order.
 * Returns false, writing nothing, for a syscall without a decoder.
 */
export function decodeArgsInto(name: string, a: ArgReader, ctx: ArgContext, pid: number, out: DecodedSink): boolean {
  const decoders = decodersByName.get(name) ?? NO_DECODERS;
  for (let i = 0; i < decoders.length; i++) decoders[i](a, ctx, pid, out);
  return decoders.length > 0;
}

/** Decodes the arguments of one syscall (the reader at its record) into `out`, in key order. */
export type ArgDecoder = (a: ArgReader, ctx: ArgContext, pid: number, out: DecodedSink) => void;

/** The argument decoder of syscall `name`, or undefined when it has none (looked up once per syscall, not per record). */
export function argDecoder(name: string): ArgDecoder | undefined {
  const decoders = decodersByName.get(name);
  if (!decoders) return undefined;
  return (a, ctx, pid, out) => {
    for (let i = 0; i < decoders.length; i++) decoders[i](a, ctx, pid, out);
  };
}

const objectReader = new ArgReader();

/** Decoded arguments of a syscall record, or undefined for syscalls without a decoder. */
export function decodeSyscallArgs(name: string, r: SyscallRecord, ctx: ArgContext): Decoded | undefined {
  if (!decodersByName.has(name)) return undefined;
  const sink = new ObjectSink();
  decodeArgsInto(name, objectReader.reset(r.buf, r.argsOff), ctx, r.pid, sink);
  return sink.out;
}

/** Syscall names that have an argument decoder (for tests and docs). */
export const DECODED_SYSCALLS: readonly string[] = Object.keys(DECODERS);
