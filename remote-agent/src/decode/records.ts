/*
 * Batch decoding of kernel records (RECORDS packet payloads) into plain
 * objects, one allocation per record plus its strings. Offsets come from the
 * layout table; numbers are read with one DataView per payload. Syscall
 * arguments stay in the buffer and are read on demand (syscallArg).
 */
import { ALL_KINDS, KINDS, RECORD_KINDS, type KindsOfRecord, type RecordKind } from '../model/event-model';
import { COMM_LEN, DNS_MAX_ANSWERS, DNS_NAME_LEN, ENV_LEN, Flag, Kind, LAYOUT, STACK_NREGS, UNIX_PATH_LEN } from './layout';
import { pyStackAt, type PyStackSnapshot } from './pystack';
import { cstring, splitNulStrings } from './strings';

const H = LAYOUT.lens_hdr.fields;
const HDR_SIZE = LAYOUT.lens_hdr.size;
const EX = LAYOUT.lens_exec_event.fields;
const FK = LAYOUT.lens_fork_event.fields;
const XT = LAYOUT.lens_exit_event.fields;
const PT = LAYOUT.lens_ptrace_event.fields;
const OP = LAYOUT.lens_open_event.fields;
const FS = LAYOUT.lens_fsop_event.fields;
const AD = LAYOUT.lens_addr.fields;
const ADDR_SIZE = LAYOUT.lens_addr.size;
const SK = LAYOUT.lens_sock_event.fields;
const TC = LAYOUT.lens_tcp_event.fields;
const DN = LAYOUT.lens_dns_event.fields;
const SC = LAYOUT.lens_syscall_event.fields;
const MM = LAYOUT.lens_mmap_event.fields;
const ST = { ...LAYOUT.lens_stack.fields, size: LAYOUT.lens_stack.size };

/** The struct of events.h each record of the event model is. */
const RECORD_STRUCT = {
  exec: LAYOUT.lens_exec_event, fork: LAYOUT.lens_fork_event, exit: LAYOUT.lens_exit_event, ptrace: LAYOUT.lens_ptrace_event, open: LAYOUT.lens_open_event,
  fsop: LAYOUT.lens_fsop_event, sock: LAYOUT.lens_sock_event, tcp: LAYOUT.lens_tcp_event, dns: LAYOUT.lens_dns_event,
  syscall: LAYOUT.lens_syscall_event, mmap: LAYOUT.lens_mmap_event,
} as const;

/** Which record struct a kernel kind value is decoded from; undefined for values no kind has. */
const RECORD_OF: readonly (keyof typeof RECORD_STRUCT | undefined)[] = (() => {
  const m: (keyof typeof RECORD_STRUCT | undefined)[] = [];
  for (const k of ALL_KINDS) {
    const { value, record } = KINDS[k];
    if (value !== null && record !== null) m[value] = record;
  }
  for (const k of Object.keys(RECORD_KINDS) as RecordKind[]) m[RECORD_KINDS[k].value] = RECORD_KINDS[k].record;
  return m;
})();

/** Minimum record size per kind (header + body); a shorter record is malformed. */
const MIN_SIZE: readonly (number | undefined)[] = RECORD_OF.map((r) => (r ? RECORD_STRUCT[r].size : undefined));

/**
 * Where the names of a variable-length record (exec, open, fsop, syscall data items) end: the fixed part plus
 * every *_len. 0 for kinds without names. A record shorter than this is malformed.
 */
function namesEnd(dv: DataView, o: number, kind: number): number {
  switch (RECORD_OF[kind]) {
    case 'exec': return EX.names + dv.getUint16(o + EX.filename_len, true) + dv.getUint16(o + EX.cwd_len, true) + dv.getUint16(o + EX.argv_len, true) + dv.getUint16(o + EX.env_len, true);
    case 'open': return OP.names + dv.getUint16(o + OP.path_len, true) + dv.getUint16(o + OP.dir_len, true);
    case 'fsop':
      return FS.names + dv.getUint16(o + FS.path_len, true) + dv.getUint16(o + FS.path2_len, true) + dv.getUint16(o + FS.dir_len, true);
    case 'syscall': return SC.data + dv.getUint16(o + SC.data_len, true) + dv.getUint16(o + SC.data_len + 2, true);
    case 'mmap': return MM.names + dv.getUint16(o + MM.path_len, true);
    default: return 0;
  }
}

/** An exec's environment strings; one cut at LENS_ENV_LEN bytes is left out (a value cut short would be wrong). */
function execEnvStrings(buf: Buffer, start: number, len: number): string[] {
  const env = splitNulStrings(buf, start, len);
  if (len >= ENV_LEN) env.pop();
  return env;
}

/** Kernel kind values of the kinds decoded from one record struct. */
type ValuesOf<R extends string> = (typeof KINDS)[KindsOfRecord<R>]['value'];

/** Fields of struct lens_hdr. Times are ns; u64 values above 2^53 lose low bits (ns since boot: ~104 days). */
export interface RecordHeader {
  tsNs: number;
  startNs: number;
  pid: number;
  tid: number;
  ppid: number;
  uid: number;
  flags: number;
  comm: string;
  /** the user-stack snapshot appended to the record (LENS_F_HAS_STACK, --stacks) */
  stack?: StackSnapshot;
  /** the Python frame chain the kernel read (LENS_F_HAS_PYSTACK: a registered Python process) */
  pystack?: PyStackSnapshot;
}

/** struct lens_stack and the stack bytes after it. */
export interface StackSnapshot {
  /** x86_64 user registers in DWARF order (ax dx cx bx si di bp sp r8..r15 ip) */
  regs: bigint[];
  /** enum lens_stack_error (StackError) */
  error: number;
  /** the stack copied from regs[7] (sp) on: a view into the packet, valid only while the record is handed on */
  bytes: Buffer;
}
/* One interface per record struct of events.h; field names follow the C names in camelCase. */
export interface ExecRecord extends RecordHeader {
  kind: typeof Kind.EXEC; ret: number; argc: number; filename: string; cwd: string; argv: string[];
  /** a successful exec's environment, NAME=value strings as the kernel has them */
  env: string[];
}
export interface ForkRecord extends RecordHeader { kind: typeof Kind.FORK; childPid: number; childTid: number; childStartNs: number }
export interface ExitRecord extends RecordHeader { kind: typeof Kind.EXIT; exitCode: number; signal: number; coreDumped: boolean }
export interface PtraceRecord extends RecordHeader { kind: typeof Kind.PTRACE; ret: number; addr: bigint; request: number; targetPid: number }
export interface OpenRecord extends RecordHeader { kind: typeof Kind.OPEN; ret: number; dirfd: number; openFlags: number; mode: number; nr: number; path: string; dir: string }
export interface FsOpRecord extends RecordHeader { kind: ValuesOf<'fsop'>; ret: number; nr: number; dirfd: number; argLo: number; argHi: number; path: string; path2: string; dir: string }
/** struct lens_addr: family, port (host order) and address (4 or 16 bytes; copied). */
export interface SockAddr { family: number; port: number; addr: Uint8Array }
export interface SockRecord extends RecordHeader {
  kind: ValuesOf<'sock'>;
  ret: number; fd: number; proto: number; extra: number; local: SockAddr; remote: SockAddr; unixPath: string;
}
export interface TcpCloseRecord extends RecordHeader { kind: typeof Kind.TCP_CLOSE; bytesSent: number; bytesReceived: number; durationNs: number; local: SockAddr; remote: SockAddr }
export interface DnsRecord extends RecordHeader { kind: typeof Kind.DNS; ret: number; name: string; answers: SockAddr[] }
export interface SyscallRecord extends RecordHeader {
  kind: typeof Kind.SYSCALL; nr: number; ret: number; durNs: number;
  /** the payload buffer and offset of args[0] (the data items follow the fixed part); read with ArgReader */
  buf: Buffer; argsOff: number;
}
/** A code mapping (not an event): addresses and offsets as bigint, the file as the kernel named and identified it. */
export interface MmapRecord extends RecordHeader {
  kind: typeof Kind.MMAP; start: bigint; end: bigint; pgoff: bigint; ino: bigint; mtimeSec: bigint; mtimeNsec: number; dev: number; mapFlags: number; path: string;
}
export type ProbeRecord = ExecRecord | ForkRecord | ExitRecord | PtraceRecord | OpenRecord | FsOpRecord | SockRecord | TcpCloseRecord | DnsRecord | SyscallRecord | MmapRecord;

/** Unsigned 64-bit little-endian value as a number (exact below 2^53). */
export function u64(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * 4294967296 + dv.getUint32(off, true);
}
/** Signed 64-bit little-endian value as a number (exact within ±2^53). */
export function s64(dv: DataView, off: number): number {
  return dv.getInt32(off + 4, true) * 4294967296 + dv.getUint32(off, true);
}

/** Raw 64-bit argument i (0..5) of a syscall record. */
export function syscallArg(r: SyscallRecord, i: number): bigint {
  return r.buf.readBigUInt64LE(r.argsOff + i * 8);
}

/** A DataView over exactly the bytes of `buf`. */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Receives the records of a packet in stream order (RecordDecoder.visit): syscall records
 * in place in the buffer, never as objects (the full syscall stream is the hot path), and
 * every other kind decoded.
 */
export interface RecordVisitor {
  /** a syscall record at buf[off, off + its size); the header and fields are read through dv */
  syscall(buf: Buffer, dv: DataView, off: number): void;
  /** any other record, decoded; it sits at buf[off, off + its size) */
  record(r: ProbeRecord, buf: Buffer, dv: DataView, off: number): void;
}

/** Why a record could not be decoded; counted and reported, never dropped silently. */
export interface DecodeProblem { kind: number; size: number; reason: string }

/**
 * Decodes the records of RECORDS packets. Keeps a one-entry comm cache per
 * thread so the 16-byte comm becomes a string only when it changes.
 */
export class RecordDecoder {
  /** records that could not be decoded (unknown kind, bad size), by reason */
  readonly problems: DecodeProblem[] = [];
  problemCount = 0;
  /** records received, decodable or not (compared with what the probe committed); counted per packet, not per record */
  received = 0;
  private commTid = -1;
  private commW0 = 0; private commW1 = 0; private commW2 = 0; private commW3 = 0;
  private commStr = '';

  /** Decodes every record in buf[start, end), appending them to `out`. Returns how many were appended. */
  decode(buf: Buffer, start: number, end: number, out: ProbeRecord[]): number {
    return this.scan(buf, start, end, out, undefined);
  }

  /** Hands every record in buf[start, end) to `v`, in order. Returns how many were handed on. */
  visit(buf: Buffer, start: number, end: number, v: RecordVisitor): number {
    return this.scan(buf, start, end, undefined, v);
  }

  private scan(buf: Buffer, start: number, end: number, out: ProbeRecord[] | undefined, v: RecordVisitor | undefined): number {
    const dv = viewOf(buf);
    let off = start;
    let n = 0;
    while (end - off >= HDR_SIZE) {
      const kind = dv.getUint16(off + H.kind, true);
      const size = dv.getUint16(off + H.size, true);
      if (size < HDR_SIZE || off + size > end) {
        this.problem(kind, size, `record size ${size} does not fit the ${end - off} bytes left in the packet`);
        this.received += n;
        return n;
      }
      const min = MIN_SIZE[kind];
      if (min === undefined || size < min) {
        this.problem(kind, size, min === undefined ? `unknown record kind ${kind}` : `record of kind ${kind} is ${size} bytes, expected at least ${min}`);
      } else if (kind === Kind.SYSCALL && v) {
        if (namesEnd(dv, off, kind) > size) this.namesOverrun(dv, off, kind, size);
        else {
          v.syscall(buf, dv, off);
          n++;
        }
      } else {
        const r = this.decodeOne(buf, dv, off, kind, size);
        if (r && (r.flags & Flag.HAS_STACK)) r.stack = this.stackOf(buf, dv, off, size);
        if (r && (r.flags & Flag.HAS_PYSTACK)) r.pystack = this.pyStackOf(dv, off, kind, size);
        if (r) {
          if (v) v.record(r, buf, dv, off);
          else out!.push(r);
          n++;
        }
      }
      off += size;
    }
    this.received += n;
    if (off !== end) this.problem(0, end - off, `${end - off} trailing bytes after the last record in a packet`);
    return n;
  }

  /* The snapshot at the end of a record of `size` bytes (h.stack_size of them). */
  private stackOf(buf: Buffer, dv: DataView, off: number, size: number): StackSnapshot | undefined {
    const stackSize = dv.getUint16(off + H.stack_size, true);
    const at = off + size - stackSize;
    if (stackSize < ST.size || at < off + HDR_SIZE) {
      this.problem(dv.getUint16(off + H.kind, true), size, `stack snapshot of ${stackSize} bytes does not fit its ${size}-byte record`);
      return undefined;
    }
    const regs: bigint[] = [];
    for (let i = 0; i < STACK_NREGS; i++) regs.push(dv.getBigUint64(at + ST.regs + i * 8, true));
    const len = Math.min(dv.getUint32(at + ST.len, true), stackSize - ST.size);
    return { regs, error: dv.getUint32(at + ST.error, true), bytes: buf.subarray(at + ST.size, at + ST.size + len) };
  }

  /* The Python frames between the body (its fixed part and names) and the stack snapshot, if any. */
  private pyStackOf(dv: DataView, off: number, kind: number, size: number): PyStackSnapshot | undefined {
    const at = off + (namesEnd(dv, off, kind) || MIN_SIZE[kind]!);
    const end = off + size - (dv.getUint16(off + H.flags, true) & Flag.HAS_STACK ? dv.getUint16(off + H.stack_size, true) : 0);
    const s = pyStackAt(dv, at, end);
    if (typeof s === 'string') this.problem(kind, size, s);
    else return s;
    return undefined;
  }

  private problem(kind: number, size: number, reason: string): void {
    this.problemCount++;
    this.received++; // a malformed record arrived too (one more than that at most: a lower bound of the loss stays one)
    if (this.problems.length < 16) this.problems.push({ kind, size, reason });
  }

  /** comm of the record at `off` (cached per thread while its bytes stay the same). */
  comm(buf: Buffer, dv: DataView, off: number, tid: number): string {
    const c = off + H.comm;
    const w0 = dv.getUint32(c, true), w1 = dv.getUint32(c + 4, true), w2 = dv.getUint32(c + 8, true), w3 = dv.getUint32(c + 12, true);
    if (tid === this.commTid && w0 === this.commW0 && w1 === this.commW1 && w2 === this.commW2 && w3 === this.commW3) return this.commStr;
    this.commTid = tid; this.commW0 = w0; this.commW1 = w1; this.commW2 = w2; this.commW3 = w3;
    this.commStr = cstring(buf, c, COMM_LEN);
    return this.commStr;
  }

  /** The syscall record at buf[off] (one that visit() handed on in place) as an object. */
  syscallAt(buf: Buffer, dv: DataView, off: number): SyscallRecord {
    return this.decodeOne(buf, dv, off, Kind.SYSCALL, 0) as SyscallRecord;
  }

  /** The names of a record (exec, open, fsop, syscall data items) must end within it: else a problem, and undefined. */
  private namesOverrun(dv: DataView, o: number, kind: number, size: number): undefined {
    this.problem(kind, size, `names of a record of kind ${kind} end at byte ${namesEnd(dv, o, kind)}, past its ${size} bytes`);
    return undefined;
  }

  private decodeOne(buf: Buffer, dv: DataView, o: number, kind: number, size: number): ProbeRecord | undefined {
    const tid = dv.getUint32(o + H.tid, true);
    const tsNs = u64(dv, o + H.ts_ns);
    const startNs = u64(dv, o + H.start_ns);
    const pid = dv.getUint32(o + H.pid, true);
    const ppid = dv.getUint32(o + H.ppid, true);
    const uid = dv.getUint32(o + H.uid, true);
    const flags = dv.getUint16(o + H.flags, true);
    const comm = this.comm(buf, dv, o, tid);
    if (RECORD_OF[kind] === 'fsop') {
      if (namesEnd(dv, o, kind) > size) return this.namesOverrun(dv, o, kind, size);
      const pLen = dv.getUint16(o + FS.path_len, true), p2Len = dv.getUint16(o + FS.path2_len, true);
      const n = o + FS.names;
      return {
        kind: kind as FsOpRecord['kind'], tsNs, startNs, pid, tid, ppid, uid, flags, comm,
        ret: dv.getInt32(o + FS.ret, true), nr: dv.getUint32(o + FS.syscall_nr, true),
        dirfd: dv.getInt32(o + FS.dirfd, true), argLo: dv.getUint32(o + FS.arg, true), argHi: dv.getUint32(o + FS.arg + 4, true),
        path: cstring(buf, n, pLen), path2: cstring(buf, n + pLen, p2Len), dir: cstring(buf, n + pLen + p2Len, dv.getUint16(o + FS.dir_len, true)),
      };
    }
    switch (kind) {
      case Kind.SYSCALL:
        if (size && namesEnd(dv, o, kind) > size) return this.namesOverrun(dv, o, kind, size);
        return {
          kind, tsNs, startNs, pid, tid, ppid, uid, flags, comm,
          nr: dv.getUint16(o + SC.nr, true), ret: s64(dv, o + SC.ret), durNs: u64(dv, o + SC.dur_ns),
          buf, argsOff: o + SC.args,
        };
      case Kind.EXEC: {
        if (namesEnd(dv, o, kind) > size) return this.namesOverrun(dv, o, kind, size);
        const fLen = dv.getUint16(o + EX.filename_len, true), cLen = dv.getUint16(o + EX.cwd_len, true), aLen = dv.getUint16(o + EX.argv_len, true);
        const n = o + EX.names;
        return {
          kind, tsNs, startNs, pid, tid, ppid, uid, flags, comm,
          ret: dv.getInt32(o + EX.ret, true), argc: dv.getUint32(o + EX.argc, true),
          filename: cstring(buf, n, fLen), cwd: cstring(buf, n + fLen, cLen),
          argv: splitNulStrings(buf, n + fLen + cLen, aLen),
          env: execEnvStrings(buf, n + fLen + cLen + aLen, dv.getUint16(o + EX.env_len, true)),
        };
      }
      case Kind.FORK:
        return {
          kind, tsNs, startNs, pid, tid, ppid, uid, flags, comm,
          childPid: dv.getUint32(o + FK.child_pid, true), childTid: dv.getUint32(o + FK.child_tid, true),
          childStartNs: u64(dv, o + FK.child_start_ns),
        };
      case Kind.EXIT:
        return {
          kind, tsNs, startNs, pid, tid, ppid, uid, flags, comm,
          exitCode: dv.getInt32(o + XT.exit_code, true), signal: dv.getUint32(o + XT.signal, true),
          coreDumped: dv.getUint8(o + XT.core_dumped) !== 0,
        };
      case Kind.PTRACE:
        return {
          kind, tsNs, startNs, pid, tid, ppid, uid, flags, comm,
          ret: s64(dv, o + PT.ret), addr: dv.getBigUint64(o + PT.addr, true),
          request: dv.getUint32(o + PT.request, true), targetPid: dv.getUint32(o + PT.target_pid, true),
        };
      case Kind.OPEN: {
        if (namesEnd(dv, o, kind) > size) return this.namesOverrun(dv, o, kind, size);
        const pLen = dv.getUint16(o + OP.path_len, true);
        return {
          kind, tsNs, startNs, pid, tid, ppid, uid, flags, comm,
          ret: dv.getInt32(o + OP.ret, true), dirfd: dv.getInt32(o + OP.dirfd, true), openFlags: dv.getUint32(o + OP.flags, true),
          mode: dv.getUint32(o + OP.mode, true), nr: dv.getUint32(o + OP.syscall_nr, true),
          path: cstring(buf, o + OP.names, pLen), dir: cstring(buf, o + OP.names + pLen, dv.getUint16(o + OP.dir_len, true)),
        };
      }
      case Kind.MMAP:
        if (namesEnd(dv, o, kind) > size) return this.namesOverrun(dv, o, kind, size);
        return {
          kind, tsNs, startNs, pid, tid, ppid, uid, flags, comm,
          start: dv.getBigUint64(o + MM.start, true), end: dv.getBigUint64(o + MM.end, true), pgoff: dv.getBigUint64(o + MM.pgoff, true),
          ino: dv.getBigUint64(o + MM.ino, true), mtimeSec: dv.getBigInt64(o + MM.mtime_sec, true), mtimeNsec: dv.getUint32(o + MM.mtime_nsec, true),
          dev: dv.getUint32(o + MM.dev, true), mapFlags: dv.getUint16(o + MM.map_flags, true), path: cstring(buf, o + MM.names, dv.getUint16(o + MM.path_len, true)),
        };
      case Kind.TCP_CLOSE:
        return {
          kind, tsNs, startNs, pid, tid, ppid, uid, flags, comm,
          bytesSent: u64(dv, o + TC.bytes_sent), bytesReceived: u64(dv, o + TC.bytes_received), durationNs: u64(dv, o + TC.duration_ns),
          local: addr(buf, dv, o + TC.local), remote: addr(buf, dv, o + TC.remote),
        };
      case Kind.DNS: {
        const count = Math.min(dv.getUint32(o + DN.answer_count, true), DNS_MAX_ANSWERS);
        const answers: SockAddr[] = [];
        for (let i = 0; i < count; i++) answers.push(addr(buf, dv, o + DN.answers + i * ADDR_SIZE));
        return {
          kind, tsNs, startNs, pid, tid, ppid, uid, flags, comm,
          ret: dv.getInt32(o + DN.ret, true), name: cstring(buf, o + DN.name, DNS_NAME_LEN), answers,
        };
      }
      default: // CONNECT, ACCEPT, BIND, LISTEN, UDP_SEND (MIN_SIZE admits no other kind)
        return {
          kind: kind as SockRecord['kind'], tsNs, startNs, pid, tid, ppid, uid, flags, comm,
          ret: dv.getInt32(o + SK.ret, true), fd: dv.getInt32(o + SK.fd, true), proto: dv.getUint32(o + SK.proto, true),
          extra: dv.getUint32(o + SK.extra, true), local: addr(buf, dv, o + SK.local), remote: addr(buf, dv, o + SK.remote),
          unixPath: cstring(buf, o + SK.unix_path, UNIX_PATH_LEN),
        };
    }
  }
}

function addr(buf: Buffer, dv: DataView, o: number): SockAddr {
  const family = dv.getUint16(o + AD.family, true);
  const n = family === 10 ? 16 : 4;
  return { family, port: dv.getUint16(o + AD.port, true), addr: Uint8Array.prototype.slice.call(buf, o + AD.addr, o + AD.addr + n) };
}
