/*
 * Byte offsets of every field the decoder reads, one table per struct of
 * bpf/linux/events.h. test/unit/agent/layout.test.ts compiles events.h and
 * checks each entry against sizeof/offsetof, so a layout change that is not
 * made here too fails the tests instead of decoding garbage. Kind values
 * come from the event model (model/event-model.ts, checked against events.h
 * by test/unit/agent/event-model.test.ts).
 */
import { ALL_KINDS, type KernelKind, KINDS, RECORD_KINDS, type RecordKind } from '../model/event-model';

/** Must equal LENS_ABI_VERSION in events.h; HELLO carries the probe's. */
export const ABI_VERSION = 9;

/* Array sizes from events.h (LENS_*_LEN and friends). */
export const COMM_LEN = 16;
export const PATH_MAX = 4096;
export const ARGV_LEN = 8192;
/** LENS_ENV_LEN: environment bytes of a successful exec kept in its record. */
export const ENV_LEN = 8192;
export const DNS_NAME_LEN = 128;
export const DNS_MAX_ANSWERS = 8;
export const KIND_MAX = 25;
/** lens_ptrace_event.request of a process_vm_writev */
export const PTRACE_VM_WRITEV = 0xffffffff;
export const HIST_BUCKETS = 32;
export const UNIX_PATH_LEN = 108;
export const ERROR_MESSAGE_LEN = 248;
export const MACHINE_LEN = 16;
/** struct lens_stack: registers per snapshot, and the --stack-bytes bounds and default */
export const STACK_NREGS = 17;
export const STACK_DEFAULT = 8192;
export const STACK_MIN = 64;
export const STACK_MAX = 16384;
/** enum lens_stack_error */
export const StackError = { OK: 0, KTHREAD: 1, FAULT: 2, ARCH: 3 } as const;
/** struct lens_pystack: frames per walk at most, enum lens_pystack_error, its flags; LENS_PY_NONE: a walk step that does not exist */
export const PY_FRAMES_MAX = 64;
export const PyStackError = { OK: 0, NO_THREAD: 1, FAULT: 2 } as const;
export const PY_TRUNCATED = 0x1;
export const PY_NONE = 0xffff;
/** Process ids are below this (LENS_PID_LIMIT, PID_MAX_LIMIT on 64-bit kernels). */
export const PID_LIMIT = 4194304;

/** enum lens_kind, by upper-case kind name (Kind.TCP_CLOSE): the values of the event model, records that are not events included. */
export const Kind = Object.fromEntries([
  ...ALL_KINDS.flatMap((k) => (KINDS[k].value === null ? [] : [[k.toUpperCase(), KINDS[k].value]])),
  ...(Object.keys(RECORD_KINDS) as RecordKind[]).map((k) => [k.toUpperCase(), RECORD_KINDS[k].value]),
]) as { readonly [K in KernelKind as Uppercase<K>]: (typeof KINDS)[K]['value'] } & { readonly [K in RecordKind as Uppercase<K>]: (typeof RECORD_KINDS)[K]['value'] };

/** lens_hdr.flags */
export const Flag = {
  TRUNCATED: 0x1, THREAD: 0x2, HAS_STACK: 0x4,
  UNTRACED_SETUID: 0x8, UNTRACED_SETGID: 0x10, UNTRACED_CAPS: 0x20, UNTRACED_NODUMP: 0x40, NO_RETURN: 0x80,
  HAS_PYSTACK: 0x100,
} as const;

/** lens_mmap_event.map_flags (LENS_MAP_*) */
export const MapFlag = { RESET: 0x1, EXEC: 0x2, DELETED: 0x4, PROTECT: 0x8 } as const;

/** lens_syscall_event.data_arg >> 4: what a data item holds (LENS_SYSDATA_*) */
export const SysData = { STR: 1, ARGV: 2, SOCKADDR: 3 } as const;

/** enum lens_packet_type */
export const PacketType = { RECORDS: 1, HELLO: 2, STATS: 3, TARGET: 4, SYSAGG: 5, ERROR: 6 } as const;

/** enum lens_target_state */
export const TargetState = { STARTED: 1, EXITED: 2, ATTACHED: 3, ADDED: 4 } as const;

/** enum lens_error_code */
export const ProbeErrorCode = {
  PRIVILEGE: 1, NO_BTF: 2, TRACEFS: 3, NO_SUCH_PID: 4, EXEC: 5, ATTACH: 6, USAGE: 7, INTERNAL: 8, DEGRADED: 9, FORBIDDEN: 10,
} as const;

/** A struct's size and the offsets of the fields read from it (nested members as `a.b`). */
export interface StructLayout {
  size: number;
  fields: Record<string, number>;
}

/** Every struct of events.h the agent decodes, keyed by its C name. */
export const LAYOUT = {
  lens_hdr: { size: 56, fields: {
    ts_ns: 0, start_ns: 8, pid: 16, tid: 20, ppid: 24, uid: 28, kind: 32, flags: 34, size: 36, stack_size: 38, comm: 40,
  } },
  lens_exec_event: { size: 72, fields: { ret: 56, argc: 60, filename_len: 64, cwd_len: 66, argv_len: 68, env_len: 70, names: 72 } },
  lens_fork_event: { size: 72, fields: { child_pid: 56, child_tid: 60, child_start_ns: 64 } },
  lens_exit_event: { size: 72, fields: { exit_code: 56, signal: 60, core_dumped: 64 } },
  lens_ptrace_event: { size: 80, fields: { ret: 56, addr: 64, request: 72, target_pid: 76 } },
  lens_open_event: { size: 80, fields: { ret: 56, dirfd: 60, flags: 64, mode: 68, syscall_nr: 72, path_len: 76, dir_len: 78, names: 80 } },
  lens_fsop_event: { size: 88, fields: {
    ret: 56, syscall_nr: 60, dirfd: 64, arg: 72, path_len: 80, path2_len: 82, dir_len: 84, names: 88,
  } },
  lens_addr: { size: 24, fields: { family: 0, port: 2, addr: 8 } },
  lens_sock_event: { size: 232, fields: {
    ret: 56, fd: 60, proto: 64, extra: 68, local: 72, remote: 96, unix_path: 120,
  } },
  lens_tcp_event: { size: 128, fields: { bytes_sent: 56, bytes_received: 64, duration_ns: 72, local: 80, remote: 104 } },
  lens_dns_event: { size: 384, fields: { ret: 56, answer_count: 60, name: 64, answers: 192 } },
  lens_mmap_event: { size: 112, fields: {
    start: 56, end: 64, pgoff: 72, ino: 80, mtime_sec: 88, mtime_nsec: 96, dev: 100, map_flags: 104, path_len: 106, names: 112,
  } },
  lens_syscall_event: { size: 128, fields: { ret: 56, dur_ns: 64, args: 72, nr: 120, data_arg: 122, data_len: 124, data: 128 } },
  lens_sysagg_key: { size: 16, fields: { start_ns: 0, pid: 8, nr: 12 } },
  lens_sysagg_val: { size: 288, fields: { count: 0, errors: 8, total_ns: 16, max_ns: 24, hist: 32 } },
  lens_stack: { size: 144, fields: { regs: 0, error: 136, len: 140 } },
  lens_pystack: { size: 8, fields: { cookie: 0, error: 4, nframes: 6, flags: 7 } },
  lens_pyframe: { size: 16, fields: { code: 0, instr: 8 } },
  lens_packet: { size: 8, fields: { len: 0, type: 4 } },
  lens_hello: { size: 40, fields: { abi_version: 0, kinds_mask: 4, realtime_offset_ns: 8, ringbuf_bytes: 16, machine: 24 } },
  lens_stats: { size: 616, fields: { events: 0, dropped: 200, queued_bytes: 400, committed: 408, final: 608 } },
  lens_target: { size: 16, fields: { state: 0, pid: 4, exit_code: 8, signal: 12 } },
  lens_error: { size: 256, fields: { code: 0, errno_val: 4, message: 8 } },
} as const satisfies Record<string, StructLayout>;

/** Other sizes the decoder relies on: `#define` / array lengths, checked by the layout test too. */
export const CONSTANTS = {
  LENS_ABI_VERSION: ABI_VERSION,
  LENS_COMM_LEN: COMM_LEN,
  LENS_PATH_MAX: PATH_MAX,
  LENS_ARGV_LEN: ARGV_LEN,
  LENS_ENV_LEN: ENV_LEN,
  LENS_DNS_NAME_LEN: DNS_NAME_LEN,
  LENS_DNS_MAX_ANSWERS: DNS_MAX_ANSWERS,
  LENS_KIND_MAX: KIND_MAX,
  LENS_HIST_BUCKETS: HIST_BUCKETS,
  LENS_PTRACE_VM_WRITEV: PTRACE_VM_WRITEV,
  LENS_PID_LIMIT: PID_LIMIT,
  LENS_STACK_NREGS: STACK_NREGS, LENS_STACK_DEFAULT: STACK_DEFAULT, LENS_STACK_MIN: STACK_MIN, LENS_STACK_MAX: STACK_MAX,
  LENS_STACK_OK: StackError.OK, LENS_STACK_ERR_KTHREAD: StackError.KTHREAD, LENS_STACK_ERR_FAULT: StackError.FAULT, LENS_STACK_ERR_ARCH: StackError.ARCH,
  LENS_F_TRUNCATED: Flag.TRUNCATED, LENS_F_THREAD: Flag.THREAD, LENS_F_HAS_STACK: Flag.HAS_STACK,
  LENS_F_UNTRACED_SETUID: Flag.UNTRACED_SETUID, LENS_F_UNTRACED_SETGID: Flag.UNTRACED_SETGID,
  LENS_F_UNTRACED_CAPS: Flag.UNTRACED_CAPS, LENS_F_UNTRACED_NODUMP: Flag.UNTRACED_NODUMP, LENS_F_NO_RETURN: Flag.NO_RETURN,
  LENS_MAP_RESET: MapFlag.RESET, LENS_MAP_EXEC: MapFlag.EXEC, LENS_MAP_DELETED: MapFlag.DELETED, LENS_MAP_PROTECT: MapFlag.PROTECT,
  LENS_F_HAS_PYSTACK: Flag.HAS_PYSTACK,
  LENS_PY_FRAMES_MAX: PY_FRAMES_MAX, LENS_PY_OK: PyStackError.OK, LENS_PY_NO_THREAD: PyStackError.NO_THREAD,
  LENS_PY_FAULT: PyStackError.FAULT, LENS_PY_TRUNCATED: PY_TRUNCATED, LENS_PY_NONE: PY_NONE,
  LENS_SYSDATA_STR: SysData.STR, LENS_SYSDATA_ARGV: SysData.ARGV, LENS_SYSDATA_SOCKADDR: SysData.SOCKADDR,
  LENS_PACKET_RECORDS: PacketType.RECORDS, LENS_PACKET_HELLO: PacketType.HELLO, LENS_PACKET_STATS: PacketType.STATS,
  LENS_PACKET_TARGET: PacketType.TARGET, LENS_PACKET_SYSAGG: PacketType.SYSAGG, LENS_PACKET_ERROR: PacketType.ERROR,
  LENS_TARGET_STARTED: TargetState.STARTED, LENS_TARGET_EXITED: TargetState.EXITED, LENS_TARGET_ATTACHED: TargetState.ATTACHED, LENS_TARGET_ADDED: TargetState.ADDED,
  LENS_ERR_PRIVILEGE: ProbeErrorCode.PRIVILEGE, LENS_ERR_NO_BTF: ProbeErrorCode.NO_BTF, LENS_ERR_TRACEFS: ProbeErrorCode.TRACEFS,
  LENS_ERR_NO_SUCH_PID: ProbeErrorCode.NO_SUCH_PID, LENS_ERR_EXEC: ProbeErrorCode.EXEC, LENS_ERR_ATTACH: ProbeErrorCode.ATTACH,
  LENS_ERR_USAGE: ProbeErrorCode.USAGE, LENS_ERR_INTERNAL: ProbeErrorCode.INTERNAL,
  LENS_ERR_DEGRADED: ProbeErrorCode.DEGRADED, LENS_ERR_FORBIDDEN: ProbeErrorCode.FORBIDDEN,
} as const;
