/*
 * Turns decoded kernel records into the events of the NDJSON/RPC contract:
 * epoch timestamps, names for syscalls/errnos/signals/flags, absolute paths,
 * DNS names on connections, redacted command lines; and keeps the process,
 * fd and DNS tables current as records pass through.
 */
import { Flag, Kind, LAYOUT } from '../decode/layout';
import { KIND_OF_VALUE, KINDS } from '../model/event-model';
import type { DnsRecord, ExecRecord, ExitRecord, ForkRecord, FsOpRecord, OpenRecord, ProbeRecord, PtraceRecord, SockRecord, SyscallRecord, TcpCloseRecord } from '../decode/records';
import type {
  DnsEvent, EventBase, ExecEvent, ExitEvent, ForkEvent, FsOpEvent, LensEvent, OpenEvent, PtraceEvent, SockEvent, SyscallEvent, TcpCloseEvent, UntracedReason,
} from '../protocol';
import type { HostFacts } from '../backend/backend';
import { execEnv, redactArgv } from '../redact/redact';
import { ArgReader, argHex, decodeSyscallArgs, retHex, type ArgContext } from '../syscalls/args';
import { errnoName, errnoOfResult, signalName } from '../syscalls/errno';
import { familyName, fileMode, openFlags } from '../syscalls/flags';
import { syscallTable, type Arch, type SyscallTable } from '../syscalls/names';
import { formatIp } from './addr';
import { DnsCache } from './dns-cache';
import { FdTable } from './fd-table';
import { absolutePath } from './paths';
import { ProcessTable } from './process-table';
import { POKES, ptraceRequestName } from './ptrace';

/** The reason an exec record's LENS_F_UNTRACED_* flags give, the first that applies. */
function untracedReason(flags: number): UntracedReason | undefined {
  if (flags & Flag.UNTRACED_SETUID) return 'setuid';
  if (flags & Flag.UNTRACED_SETGID) return 'setgid';
  if (flags & Flag.UNTRACED_CAPS) return 'capabilities';
  if (flags & Flag.UNTRACED_NODUMP) return 'not-dumpable';
  return undefined;
}

/** What enrichment needs to know about the session. */
export interface EnricherOptions {
  arch: Arch;
  /** CLOCK_REALTIME - CLOCK_MONOTONIC in ns (HELLO.realtime_offset_ns) */
  realtimeOffsetNs: number;
  redact: boolean;
}

const H = LAYOUT.lens_hdr.fields;
const SC = LAYOUT.lens_syscall_event.fields;

/**
 * Per-session enrichment state and the record -> event conversion. A syscall's own change
 * to the fd table (close, dup...) is applied when the next record comes (or at settle()),
 * so whoever shows that syscall still sees the fd it closed.
 */
export class Enricher {
  readonly processes = new ProcessTable();
  readonly fds = new FdTable();
  readonly dns = new DnsCache();
  private readonly table: SyscallTable;
  /** added to a record's monotonic ts_ns / 1e6 to give epoch ms */
  readonly offsetMs: number;
  /** what argument decoding reads from the session (arch, fd paths) */
  readonly argCtx: ArgContext;
  private readonly reader = new ArgReader();
  /** what each syscall number does to the fd table (FdOp), looked up once per number */
  private readonly fdOps: Uint8Array = new Uint8Array(1 << 16).fill(FD_OP_UNKNOWN);
  /** the fd change of the latest syscall, not applied yet (FdOp.NONE when none) */
  private pendingOp: number = FdOp.NONE;
  private pendingPid = 0;
  private pendingA0 = 0;
  private pendingA1 = 0;
  private pendingRet = 0;

  constructor(private readonly opts: EnricherOptions) {
    this.table = syscallTable(opts.arch);
    this.offsetMs = opts.realtimeOffsetNs / 1e6;
    this.argCtx = { arch: opts.arch, fdPath: (pid, fd) => this.fds.get(pid, fd), redact: opts.redact };
  }

  /** The syscall table's architecture (the traced machine's). */
  get arch(): Arch {
    return this.opts.arch;
  }

  /** Seeds the tables with a running process and its descendants (attach, session/addProcess). */
  seedFromHost(pid: number, host: HostFacts): number {
    const n = this.processes.seedFromHost(pid, host);
    for (const p of [pid, ...this.descendants(pid)]) this.fds.seed(p, host.fds(p));
    return n;
  }

  private descendants(pid: number): number[] {
    const out: number[] = [];
    const queue = [pid];
    while (queue.length) {
      for (const c of this.processes.children(queue.shift()!)) { out.push(c.pid); queue.push(c.pid); }
    }
    return out;
  }

  /** Syscall name for this session's architecture. */
  syscallName(nr: number): string {
    return this.table.name(nr);
  }

  /** Converts one record; updates the tables. */
  enrich(r: ProbeRecord): LensEvent {
    if (this.pendingOp) this.settle();
    switch (r.kind) {
      case Kind.SYSCALL: {
        const ev = this.syscallEvent(r);
        const op = this.fdOp(r.nr);
        if (op && r.ret >= 0) this.noteFdChange(op, r.pid, this.reader.reset(r.buf, r.argsOff), r.ret);
        return ev;
      }
      case Kind.EXEC: return this.exec(r);
      case Kind.FORK: return this.fork(r);
      case Kind.EXIT: return this.exit(r);
      case Kind.PTRACE: return this.ptrace(r);
      case Kind.OPEN: return this.open(r);
      case Kind.TCP_CLOSE: return this.tcpClose(r);
      case Kind.DNS: return this.dnsEvent(r);
      default: return KINDS[KIND_OF_VALUE[r.kind]!].record === 'fsop' ? this.fsop(r as FsOpRecord) : this.sock(r as SockRecord);
    }
  }

  private base(r: ProbeRecord): Omit<EventBase, 'kind'> {
    const b: Omit<EventBase, 'kind'> = {
      ts: r.tsNs / 1e6 + this.offsetMs, pid: r.pid, tid: r.tid, ppid: r.ppid, uid: r.uid, comm: r.comm, key: this.processes.keyOf(r.pid, r.startNs),
    };
    const pkey = this.processes.parentKey(r.ppid);
    if (pkey) b.pkey = pkey;
    return b;
  }

  /**
   * A syscall record in place in the probe's buffer (the enrich stage's fast path): the tables
   * learn from it what enrich() would, without an event object.
   */
  syscallAt(buf: Buffer, dv: DataView, o: number): void {
    if (this.pendingOp) this.settle();
    const op = this.fdOp(dv.getUint16(o + SC.nr, true));
    if (op === FdOp.NONE) return;
    const ret = dv.getInt32(o + SC.ret + 4, true) * 4294967296 + dv.getUint32(o + SC.ret, true);
    if (ret >= 0) this.noteFdChange(op, dv.getUint32(o + H.pid, true), this.reader.reset(buf, o + SC.args), ret);
  }

  /** Applies the fd change of the latest syscall (the pipeline calls it when a batch of records ends). */
  settle(): void {
    const op = this.pendingOp;
    if (op === FdOp.NONE) return;
    this.pendingOp = FdOp.NONE;
    const pid = this.pendingPid;
    if (op === FdOp.CLOSE) this.fds.close(pid, this.pendingA0);
    else if (op === FdOp.DUP2) this.fds.dup(pid, this.pendingA0, this.pendingA1);
    else this.fds.dup(pid, this.pendingA0, this.pendingRet); // dup, fcntl(F_DUPFD)
  }

  /** What syscall `nr` can change in the fd table. */
  private fdOp(nr: number): number {
    const op = this.fdOps[nr];
    if (op !== FD_OP_UNKNOWN) return op;
    return (this.fdOps[nr] = FD_OPS[this.table.name(nr)] ?? FdOp.NONE);
  }

  /** Remembers what a successful close/dup/dup2/dup3/fcntl(F_DUPFD) changes in the fd table. */
  private noteFdChange(op: number, pid: number, a: ArgReader, ret: number): void {
    if (op === FdOp.FCNTL) {
      const cmd = a.s32(1);
      if (cmd !== F_DUPFD && cmd !== F_DUPFD_CLOEXEC) return;
    }
    this.pendingOp = op;
    this.pendingPid = pid;
    this.pendingA0 = a.s32(0);
    this.pendingA1 = a.s32(1);
    this.pendingRet = ret;
  }

  /** The event of a syscall record, reading the tables as they are; changes nothing. */
  syscallEvent(r: SyscallRecord): SyscallEvent {
    const name = this.table.name(r.nr);
    const ev: SyscallEvent = {
      ts: r.tsNs / 1e6 + this.offsetMs, kind: 'syscall', pid: r.pid, tid: r.tid, ppid: r.ppid, uid: r.uid, comm: r.comm,
      key: this.processes.keyOf(r.pid, r.startNs), name, nr: r.nr,
      args: [argHex(r, 0), argHex(r, 1), argHex(r, 2), argHex(r, 3), argHex(r, 4), argHex(r, 5)],
      ret: r.ret, dur_ns: r.durNs,
    };
    const pkey = this.processes.parentKey(r.ppid);
    if (pkey) ev.pkey = pkey;
    const decoded = decodeSyscallArgs(name, r, this.argCtx);
    if (decoded) ev.decoded = decoded;
    const errno = errnoOfResult(r.ret);
    if (errno) ev.errno = errno;
    const hex = retHex(name, r.ret);
    if (hex) ev.ret_hex = hex;
    if (r.flags & Flag.NO_RETURN) ev.noreturn = true;
    if (r.flags & Flag.TRUNCATED) ev.truncated = true;
    return ev;
  }

  private exec(r: ExecRecord): ExecEvent {
    const p = this.processes.touch(r.pid, r.startNs, r.ppid, r.uid, r.comm);
    const argv = this.opts.redact ? redactArgv(r.argv) : r.argv;
    if (r.ret === 0) this.processes.onExec(p, r.filename, argv, r.cwd, r.comm);
    const ev: ExecEvent = { ...this.base(r), kind: 'exec', filename: absolutePath(r.filename, r.cwd || p.cwd), argv, cwd: r.cwd || p.cwd || '', ret: r.ret };
    if (r.argc > r.argv.length || r.flags & Flag.TRUNCATED) ev.truncated = true;
    if (r.ret < 0) ev.errno = errnoName(-r.ret);
    if (r.env.length) ev.env = execEnv(r.env, this.opts.redact);
    const untraced = untracedReason(r.flags);
    if (untraced) ev.untraced = untraced;
    return ev;
  }

  private fork(r: ForkRecord): ForkEvent {
    const thread = (r.flags & Flag.THREAD) !== 0;
    if (!thread) {
      this.processes.touch(r.pid, r.startNs, r.ppid, r.uid, r.comm);
      this.processes.onFork(r.pid, r.childPid, r.childStartNs, r.comm, r.uid);
      this.fds.fork(r.pid, r.childPid);
    }
    const ev: ForkEvent = { ...this.base(r), kind: 'fork', child_pid: thread ? r.childTid : r.childPid, thread };
    if (!thread) ev.child_key = this.processes.keyOf(r.childPid, r.childStartNs);
    return ev;
  }

  private exit(r: ExitRecord): ExitEvent {
    const p = this.processes.touch(r.pid, r.startNs, r.ppid, r.uid, r.comm);
    this.processes.onExit(p, r.exitCode, r.signal);
    this.fds.drop(r.pid);
    const ev: ExitEvent = { ...this.base(r), kind: 'exit', exit_code: r.signal ? 128 + r.signal : r.exitCode };
    if (r.signal) ev.signal = signalName(r.signal);
    if (r.coreDumped) ev.core_dumped = true;
    return ev;
  }

  private ptrace(r: PtraceRecord): PtraceEvent {
    const request = ptraceRequestName(r.request);
    const ev: PtraceEvent = { ...this.base(r), kind: 'ptrace', request, target_pid: r.targetPid, ret: r.ret };
    const target = r.targetPid ? this.processes.get(r.targetPid) : undefined;
    if (target?.key) ev.target_key = target.key;
    if (target) ev.target_comm = target.comm;
    if (POKES.has(request)) ev.addr = '0x' + r.addr.toString(16);
    if (r.ret < 0) ev.errno = errnoName(-r.ret);
    return ev;
  }

  private dirFor(pid: number, dirfd: number, dir: string, flags: number): string | undefined {
    if (dir) return dir;
    if (flags & Flag.TRUNCATED) return undefined; // the kernel could not give it whole: an older one may be wrong now
    if (dirfd === -100) return this.processes.get(pid)?.cwd;
    return this.fds.get(pid, dirfd);
  }

  private open(r: OpenRecord): OpenEvent {
    const path = absolutePath(r.path, this.dirFor(r.pid, r.dirfd, r.dir, r.flags));
    const ev: OpenEvent = {
      ...this.base(r), kind: 'open', syscall: this.table.name(r.nr), path, flags: openFlags(r.openFlags, this.opts.arch), ret: r.ret,
    };
    if (r.openFlags & 0o100 || (r.openFlags & 0o20000000) !== 0) ev.mode = fileMode(r.mode); // O_CREAT / O_TMPFILE
    if (r.flags & Flag.TRUNCATED) ev.truncated = true;
    if (r.ret < 0) ev.errno = errnoName(-r.ret);
    else this.fds.set(r.pid, r.ret, path);
    return ev;
  }

  private fsop(r: FsOpRecord): FsOpEvent {
    const kind = KIND_OF_VALUE[r.kind] as FsOpEvent['kind'];
    const dir = this.dirFor(r.pid, r.dirfd, r.dir, r.flags);
    const ev: FsOpEvent = { ...this.base(r), kind, syscall: this.table.name(r.nr), path: absolutePath(r.path, dir), ret: r.ret };
    if (r.path2) ev.path2 = kind === 'symlink' ? r.path2 : absolutePath(r.path2, dir);
    if (kind === 'chmod' || kind === 'mkdir') ev.mode = fileMode(r.argLo);
    if (kind === 'chown') ev.owner = { uid: r.argHi, gid: r.argLo };
    if (kind === 'truncate') ev.length = r.argHi * 4294967296 + r.argLo;
    if (r.flags & Flag.TRUNCATED) ev.truncated = true;
    if (r.ret < 0) ev.errno = errnoName(-r.ret);
    else if (kind === 'chdir') {
      const p = this.processes.get(r.pid);
      if (p) p.cwd = ev.path;
    }
    return ev;
  }

  private sock(r: SockRecord): SockEvent {
    const kind = KIND_OF_VALUE[r.kind] as SockEvent['kind'];
    const family = r.remote.family || r.local.family || (r.unixPath ? 1 : 0);
    const daddr = formatIp(r.remote);
    const ev: SockEvent = {
      ...this.base(r), kind, family: familyName(family), saddr: formatIp(r.local), sport: r.local.port,
      daddr, dport: r.remote.port, fd: r.fd, ret: r.ret,
    };
    if (r.unixPath) ev.path = r.unixPath;
    if (r.proto === 6) ev.proto = 'tcp';
    else if (r.proto === 17) ev.proto = 'udp';
    if (kind === 'listen') ev.backlog = r.extra;
    const name = daddr ? this.dns.lookup(daddr) : undefined;
    if (name) ev.dns = name;
    if (r.ret < 0) ev.errno = errnoName(-r.ret);
    else {
      const fd = kind === 'accept' ? r.ret : r.fd;
      if (fd >= 0 && kind !== 'udp_send') this.fds.set(r.pid, fd, r.unixPath ? `unix:${r.unixPath}` : `${ev.proto ?? 'socket'}:${daddr || ev.saddr}:${daddr ? ev.dport : ev.sport}`);
    }
    return ev;
  }

  private tcpClose(r: TcpCloseRecord): TcpCloseEvent {
    const daddr = formatIp(r.remote);
    const ev: TcpCloseEvent = {
      ...this.base(r), kind: 'tcp_close', family: familyName(r.remote.family || r.local.family), saddr: formatIp(r.local), sport: r.local.port,
      daddr, dport: r.remote.port, bytes_sent: r.bytesSent, bytes_received: r.bytesReceived,
    };
    if (r.durationNs) ev.duration_ms = r.durationNs / 1e6;
    const name = this.dns.lookup(daddr);
    if (name) ev.dns = name;
    return ev;
  }

  private dnsEvent(r: DnsRecord): DnsEvent {
    const answers = [...new Set(r.answers.map(formatIp).filter(Boolean))];
    if (r.ret === 0 && r.name) this.dns.add(r.name, answers);
    const ev: DnsEvent = { ...this.base(r), kind: 'dns', name: r.name, answers, ret: r.ret };
    if (r.ret !== 0) ev.error = EAI_NAMES[r.ret] ?? `EAI_${r.ret}`;
    return ev;
  }
}

/** What a syscall does to the fd table. */
const FdOp = { NONE: 0, CLOSE: 1, DUP: 2, DUP2: 3, FCNTL: 4 } as const;
const FD_OP_UNKNOWN = 255;
const FD_OPS: Record<string, number> = { close: FdOp.CLOSE, dup: FdOp.DUP, dup2: FdOp.DUP2, dup3: FdOp.DUP2, fcntl: FdOp.FCNTL };

/** fcntl commands that duplicate an fd (same values on x86_64 and arm64). */
const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;

/** getaddrinfo() error codes (glibc values). */
const EAI_NAMES: Record<number, string> = {
  [-1]: 'EAI_BADFLAGS', [-2]: 'EAI_NONAME', [-3]: 'EAI_AGAIN', [-4]: 'EAI_FAIL', [-6]: 'EAI_FAMILY', [-7]: 'EAI_SOCKTYPE',
  [-8]: 'EAI_SERVICE', [-10]: 'EAI_MEMORY', [-11]: 'EAI_SYSTEM', [-12]: 'EAI_OVERFLOW', [-5]: 'EAI_NODATA', [-9]: 'EAI_ADDRFAMILY',
};
