/*
 * The agent's JSON-RPC 2.0 protocol and event model, typed once here and
 * imported by extension/ and webview/. Transport: vscode-jsonrpc message
 * framing (Content-Length headers) over stdio, locally or through ssh.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { LossReason } from './loss-reasons';
import type { ProcessKey } from './model/process-key';
import type { CountedKind, EventGroup, EventKind, KindsOfRecord } from './model/event-model';
import type { Priority } from './model/priority';
import type { RuleProblem } from './rules/problems';

export { LOSS_REASONS, lossReasonsText, type LossReason } from './loss-reasons';
export { processKey, type ProcessKey } from './model/process-key';
export { PRIORITIES, type Priority } from './model/priority';
export type { RuleProblem } from './rules/problems';

/* ---------- events (the NDJSON contract of ARCHITECTURE.md) ---------- */

/* Kinds and groups are defined once, in the event model. */
export { DEFAULT_EVENT_GROUPS, EVENT_GROUPS, type EventGroup, type EventKind } from './model/event-model';

/** One stack frame of an event, innermost first. */
export interface Frame {
  function?: string;
  file?: string;
  line?: number;
  column?: number;
  /** the mapped file (executable, shared library, script) the code is in */
  module?: string;
  kind: 'native' | 'js' | 'python';
  /** the call was inlined into the frame after it */
  inlined?: true;
  /** the package the code belongs to (node_modules/<name>, site-packages/<name>, a library's soname) */
  package?: string;
  /** why there is no line: "no debug info", "stripped", "JIT without map", … */
  reason?: string;
}

/** The event's innermost frame in the user's own code. */
export interface SourceLocation {
  /** absolute, on the traced machine */
  file: string;
  line: number;
  column?: number;
  function?: string;
}

/** Fields every event has. */
export interface EventBase {
  /** ms since the Unix epoch, fractional */
  ts: number;
  kind: EventKind;
  pid: number;
  tid: number;
  ppid: number;
  uid: number;
  comm: string;
  /** the process: pid + its kernel start time (process-key.ts); a reused pid has another key */
  key: ProcessKey;
  /** the parent's key, when the agent knows the parent's start time (it saw the parent's own fork, or an exec or fork of it) */
  pkey?: ProcessKey;
  /** set when a string or argv was cut at its kernel buffer size */
  truncated?: boolean;
  /** the user stack of the call that caused the event (with --stacks) */
  frames?: Frame[];
  /** the stack goes on beyond the last frame */
  frames_truncated?: true;
  /** why the event has no stack (the thread's stack could not be read) */
  stack_error?: string;
  source?: SourceLocation;
}

/** Why a non-root user's trace stops following a process at this exec: they could no longer ptrace it. */
export type UntracedReason = 'setuid' | 'setgid' | 'capabilities' | 'not-dumpable';
export interface ExecEvent extends EventBase {
  kind: 'exec'; filename: string; argv: string[]; cwd: string; ret: number; errno?: string;
  /** a successful exec's environment: every name; values of names outside SAFE_ENV_NAMES (redact/rules.ts) are redacted unless redaction is off */
  env?: Record<string, string>;
  /** set on the last event of a process the trace no longer follows */
  untraced?: UntracedReason;
}
export interface ForkEvent extends EventBase {
  kind: 'fork'; child_pid: number; thread: boolean;
  /** the new process's key (absent for a thread, which is not a process) */
  child_key?: ProcessKey;
}
export interface ExitEvent extends EventBase { kind: 'exit'; exit_code: number; signal?: string; core_dumped?: boolean }
export interface PtraceEvent extends EventBase {
  /** request: PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_POKE*, PTRACE_SET*REGS*, PTRACE_TRACEME, or process_vm_writev */
  kind: 'ptrace'; request: string; target_pid: number;
  /** the target's key and name, when the trace knows the process */
  target_key?: ProcessKey; target_comm?: string;
  /** PTRACE_POKE*: the address written, in hex */
  addr?: string;
  ret: number; errno?: string;
}
export interface OpenEvent extends EventBase { kind: 'open'; syscall: string; path: string; flags: string; mode?: string; ret: number; errno?: string }
export interface FsOpEvent extends EventBase {
  kind: KindsOfRecord<'fsop'>;
  syscall: string; path: string; path2?: string; mode?: string; owner?: { uid: number; gid: number }; length?: number; ret: number; errno?: string;
}
export type SocketFamily = 'AF_INET' | 'AF_INET6' | 'AF_UNIX' | string;
export interface SockEvent extends EventBase {
  kind: KindsOfRecord<'sock'>;
  family: SocketFamily; saddr: string; sport: number; daddr: string; dport: number;
  /** AF_UNIX socket path */
  path?: string;
  proto?: 'tcp' | 'udp';
  /** DNS name the remote address was resolved from, when known */
  dns?: string;
  fd: number; backlog?: number; ret: number; errno?: string;
}
export interface TcpCloseEvent extends EventBase {
  kind: 'tcp_close'; family: SocketFamily; saddr: string; sport: number; daddr: string; dport: number;
  bytes_sent: number; bytes_received: number; duration_ms?: number; dns?: string;
}
export interface DnsEvent extends EventBase { kind: 'dns'; name: string; answers: string[]; ret: number; error?: string }
/** A decoded syscall argument: a number, its exact decimal digits (64-bit values from 2^53), a name or string, an argv. */
export type DecodedValue = string | number | string[];
export interface SyscallEvent extends EventBase {
  kind: 'syscall'; name: string; nr: number;
  /** raw argument values as hex strings (64-bit safe) */
  args: string[];
  /** decoded arguments for common syscalls, e.g. { dirfd: 'AT_FDCWD', pathname: '/etc/passwd', flags: 'O_RDONLY' } */
  decoded?: Record<string, DecodedValue>;
  ret: number; errno?: string; dur_ns: number;
  /** the result in hex when it is an address (mmap, mremap, brk, shmat) */
  ret_hex?: string;
  /** exit/exit_group: the call never returns (ret and dur_ns are 0) */
  noreturn?: true;
}
/**
 * A rule matched an event (rules/): the base fields (process, time, `source`, `frames`) are the
 * triggering event's, and the finding follows it in the stream.
 */
export interface FindingEvent extends EventBase {
  kind: 'finding';
  /** the rule's name */
  rule: string;
  priority: Priority;
  /** the rule's output with its %fields filled in */
  output: string;
  tags: string[];
  /** the triggering event */
  event: LensEvent;
  /** where the rule is defined (line 1-based) */
  ruleFile?: { file: string; line: number };
}

export type LensEvent =
  | ExecEvent | ForkEvent | ExitEvent | PtraceEvent | OpenEvent | FsOpEvent | SockEvent | TcpCloseEvent | DnsEvent | SyscallEvent | FindingEvent;

/** Per-process, per-syscall summary (in-kernel aggregation, `syscount`). */
export interface SyscallSummaryRow {
  pid: number;
  /** the process (pid + its kernel start time): a reused pid's rows have another key */
  key: ProcessKey;
  comm: string;
  name: string;
  nr: number;
  count: number;
  errors: number;
  total_ns: number;
  max_ns: number;
  /** latency percentiles estimated from the log2 histogram */
  p50_ns: number;
  p95_ns: number;
  p99_ns: number;
}

/* ---------- errors ---------- */

/**
 * Error codes of every RPC error this agent returns. JSON-RPC's own codes are the
 * standard ones; JSON-RPC reserves -32768..-32000, so the agent's own codes sit
 * in the project range -33099..-33000.
 */
export namespace ErrorCodes {
  export const ParseError = -32700;
  export const InvalidRequest = -32600;
  export const MethodNotFound = -32601;
  export const InvalidParams = -32602;
  export const InternalError = -32603;
  /** lowest and highest code of the agent's own range */
  export const ProjectRangeMin = -33099;
  export const ProjectRangeMax = -33000;
  /** message larger than MAX_MESSAGE_BYTES */
  export const MessageTooLarge = -33001;
  export const NotInitialized = -33002;
  export const NoSuchSession = -33010;
  export const NoSuchProcess = -33011;
  export const CommandNotFound = -33012;
  export const PermissionDenied = -33013;
  export const KernelUnsupported = -33014;
  export const ProbeFailed = -33015;
  /** session/input refused: the target has not read what it was sent before (SessionInputParams) */
  export const InputNotRead = -33016;
  /* a remote host (agent --host): initialize and host/reconnect fail with these, data = ErrorData */
  /** ssh could not reach the host (name, route, port, timeout) */
  export const HostUnreachable = -33020;
  /** the host's key is not in known_hosts (ssh's StrictHostKeyChecking refused it) */
  export const HostKeyUnknown = -33021;
  /** the host's key differs from the one in known_hosts */
  export const HostKeyChanged = -33022;
  /** the host refused every key offered (no password is ever asked) */
  export const HostAuthRefused = -33023;
  /** on the host the probe can get its privileges neither as root, nor with `sudo -n`, nor from file capabilities */
  export const HostNoPrivilege = -33024;
  /** the host is not x86_64 */
  export const HostArchUnsupported = -33025;
  /** the link to the host dropped (requests made meanwhile) */
  export const HostDisconnected = -33026;
}

/**
 * What to do about an error, machine-readable, so the extension acts on it
 * without reading prose or knowing where the probe is: made by the agent's
 * named factories (`Fixes` in trace/errors.ts; a platform's own in its
 * backend). `text` says the same fix in one line for people (CLI, details).
 */
export type Fix =
  /** run `command` as root (with sudo or pkexec): gives the probe at `probe` its file capabilities */
  | { kind: 'setcap'; text: string; command: string; probe: string; capabilities: string[] }
  /** run the agent as root */
  | { kind: 'sudo'; text: string }
  /** run `command` as root: mounts the filesystem `fsType` the probe needs at `target` */
  | { kind: 'mount'; text: string; command: string; fsType: string; target: string }
  /** a step only the user can take */
  | { kind: 'advice'; text: string }
  /** run `command` as root once on the remote host `host` (as given to --host) */
  | { kind: 'hostCommand'; text: string; host: string; command: string };

/** An error the user sees, with its fixes: initialize's problem, and the data of a refused request. */
export interface Problem {
  code: number;
  message: string;
  fixes: Fix[];
}

/** The `data` of an agent's error response, when it has fixes. */
export interface ErrorData {
  fixes: Fix[];
}

/**
 * Largest message body the agent accepts (bytes). A longer one is answered
 * with MessageTooLarge from its header and skipped without being buffered.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/* ---------- requests and notifications ---------- */

export interface InitializeParams {
  clientName: string;
  clientVersion?: string;
}
export interface AgentCapabilities {
  platform: NodeJS.Platform;
  arch: string;
  kernel: string;
  /** event groups this agent can trace here */
  events: EventGroup[];
  attach: boolean;
  stacks: boolean;
  /** null when the probe can run; otherwise what is missing and how to fix it */
  problem: null | Problem;
}
export interface InitializeResult {
  agentVersion: string;
  protocolVersion: 1;
  capabilities: AgentCapabilities;
  /** the remote host this agent traces (agent --host), absent for the local one */
  host?: HostInfo;
}
/** A remote host reached over ssh, as the agent found it. */
export interface HostInfo {
  /** `user@host:port` as given (user and port when given) */
  target: string;
  arch: string;
  kernel: string;
  /** the host's PRETTY_NAME (/etc/os-release) */
  os: string;
  /** where the probe and helpers were copied (per version, 0700) */
  deployDir: string;
  deployed: 'copied' | 'reused' | 'replaced';
  /** the agent version the deployment belongs to */
  version: string;
  /** how the probe gets its privileges there */
  privilege: 'root' | 'sudo' | 'capabilities';
}
export const InitializeRequest = new RequestType<InitializeParams, InitializeResult, void>('initialize');

/**
 * What a session traces, tagged by `kind`: the same type in session/start and in
 * the header of the extension's session files. (Clients of protocol 1 that omit
 * `kind` are understood from `command` or `pid`.)
 */
export type SessionTarget = LaunchTarget | AttachTarget | DebugTarget;
export interface LaunchTarget {
  kind: 'launch';
  /** argv[0] is looked up in PATH */
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
  /**
   * 'inherit' (CLI), 'pipe' (stdout/stderr arrive as session/output notifications,
   * stdin is written with session/input), or 'null'. Over RPC the default is 'pipe',
   * and 'inherit' acts as 'null': the agent's own stdio carries the protocol.
   */
  stdio?: 'inherit' | 'pipe' | 'null';
}
export interface AttachTarget {
  kind: 'attach';
  pid: number;
  /** the process's name and command line as the client listed them: labels only (redacted like events when redaction is on) */
  comm?: string;
  cmdline?: string;
}
/** The program a VS Code debug session runs: traced from its pid as an attach is. */
export interface DebugTarget {
  kind: 'debug';
  pid: number;
  /** the debug session's name and debugger type (e.g. "Launch app", "node"): labels only */
  name: string;
  debugType: string;
  /** the debug/prepare hold the pid was held by: the session uses its Node and Python report channels, then lets the pid run */
  holdId?: string;
}
export interface SessionStartParams {
  target: SessionTarget;
  events?: EventGroup[];
  /** syscall names to trace in the syscall stream (default: all) */
  syscalls?: string[];
  /** redact environment values and argv secrets (default true) */
  redact?: boolean;
  /** ring buffer size in bytes (power of two, ≥ 4096; default 32 MiB, lens-probe's LENS_DEFAULT_RINGBUF) */
  ringbufBytes?: number;
  /** exec, file, net and dns events carry their stack (`frames`, `source`): a copy of the user stack per event (default false) */
  stacks?: boolean;
  /** bytes of user stack copied per event when stacks are on (default 8 KiB) */
  stackBytes?: number;
  /** the rules events are judged by (default: the developer ruleset alone) */
  rules?: SessionRules;
}
/** session/start's rules: Falco rule files on the agent's machine, rules turned off, the developer ruleset on or off. */
export interface SessionRules {
  /** absolute paths, in order (later files may append to or override earlier ones) */
  files?: string[];
  /** names of rules not to run (disabled for this workspace) */
  disabled?: string[];
  /** the built-in developer ruleset first (default true) */
  defaults?: boolean;
}
export interface SessionStartResult {
  sessionId: string;
  /** pid of the launched or attached process */
  pid: number;
  /** how the rules compiled: how many run, and the problems of the rule files (a bad file does not stop the session) */
  rules?: { active: number; problems: RuleProblem[] };
}
export const SessionStartRequest = new RequestType<SessionStartParams, SessionStartResult, void>('session/start');

export interface SessionRef { sessionId: string }
export const SessionStopRequest = new RequestType<SessionRef, SessionStats, void>('session/stop');

export interface SessionStats {
  sessionId: string;
  state: SessionState;
  /** events delivered, per kind */
  events: Partial<Record<EventKind, number>>;
  total: number;
  /** events per second over the last interval */
  rate: number;
  /** events lost, per kind (whatever the reason), and other kernel records (code mappings); never hidden */
  lost: Partial<Record<CountedKind, number>>;
  lostTotal: number;
  /**
   * Set when the probe died before its final report: events it had queued were lost with it.
   * 'atLeast': lostTotal is a lower bound; 'unknown': how many is not known.
   */
  lostBound?: LostBound;
  /** lostTotal split by why the events were lost (absent in session files of older versions) */
  lostReasons?: Partial<Record<LossReason, number>>;
  startedAt: number;
  endedAt?: number;
}
/** How far a session's lostTotal can be trusted once its probe died (SessionStats.lostBound). */
export type LostBound = 'atLeast' | 'unknown';
export const SessionStatsRequest = new RequestType<SessionRef, SessionStats, void>('session/stats');

/**
 * Bytes for the target's stdin. Refused with InputNotRead when the target would then have more than
 * INPUT_PENDING_MAX_BYTES sent but not read: send the rest once it has read some.
 */
export interface SessionInputParams { sessionId: string; data: string /* base64 */ }
export const INPUT_PENDING_MAX_BYTES = MAX_MESSAGE_BYTES;
export const SessionInputRequest = new RequestType<SessionInputParams, void, void>('session/input');

/**
 * Follows a running process and its descendants in a running session, from now on. Refused with
 * NoSuchProcess, or PermissionDenied when the user could not ptrace it (a non-root agent).
 */
export interface SessionAddProcessParams { sessionId: string; pid: number }
export const SessionAddProcessRequest = new RequestType<SessionAddProcessParams, void, void>('session/addProcess');

/**
 * Prepares a debug configuration for tracing: a hold whose wrapper (`hold`, put in front of the
 * debuggee's runtime with its name in RUNTIME_LENS_HOLD_EXEC) reports each debuggee's pid
 * (debug/held) and keeps it at entry until a session follows it (session/start with a debug
 * target naming `holdId`, or session/addProcess) or debug/release lets it go. `env` is what the
 * debuggee's environment gets (the hold, and the Node and Python stack reports): the user's
 * NODE_OPTIONS and PYTHONPATH given here are kept in it.
 */
export interface DebugPrepareParams { env?: { NODE_OPTIONS?: string; PYTHONPATH?: string } }
export interface DebugPrepareResult { holdId: string; hold: string; env: Record<string, string> }
export const DebugPrepareRequest = new RequestType<DebugPrepareParams, DebugPrepareResult, void>('debug/prepare');
/** Lets a held pid run untraced; without `pid`, closes the hold (every held pid runs, its folder goes). */
export interface DebugReleaseParams { holdId: string; pid?: number }
export const DebugReleaseRequest = new RequestType<DebugReleaseParams, void, void>('debug/release');

export const SyscallSummaryRequest = new RequestType<SessionRef, SyscallSummaryRow[], void>('session/syscallSummary');

export interface ProcessInfo { pid: number; ppid: number; user: string; uid: number; comm: string; cmdline: string; startTime: number }
export const ProcessListRequest = new RequestType0<ProcessInfo[], void>('processes/list');

export interface DoctorCheck { name: string; ok: boolean; detail: string; fix?: string }
export const DoctorRequest = new RequestType0<DoctorCheck[], void>('doctor');

export const ShutdownRequest = new RequestType0<void, void>('shutdown');

/* notifications from the agent */

/** 'disconnected': the link to a remote host dropped; the events received are kept. */
export type SessionState = 'starting' | 'running' | 'exited' | 'stopped' | 'failed' | 'disconnected';

export interface EventsNotificationParams { sessionId: string; events: LensEvent[] }
/** Events arrive in batches (at most ~20 notifications per second per session). */
export const EventsNotification = new NotificationType<EventsNotificationParams>('session/events');

export interface StateNotificationParams {
  sessionId: string;
  state: SessionState;
  exitCode?: number;
  signal?: string;
  /** for 'failed': what went wrong and how to fix it; for 'disconnected': why the link dropped */
  message?: string;
  code?: number;
  /** for 'disconnected': events the probe may have sent that never arrived (how many is not known) */
  missed?: number | 'unknown';
}
export const StateNotification = new NotificationType<StateNotificationParams>('session/state');

export const StatsNotification = new NotificationType<SessionStats>('session/statsChanged');

export interface OutputNotificationParams { sessionId: string; stream: 'stdout' | 'stderr'; data: string /* base64 */ }
export const OutputNotification = new NotificationType<OutputNotificationParams>('session/output');

/** A debuggee process reported to a hold: it waits at entry (DebugPrepareParams). */
export interface DebugHeldParams { holdId: string; pid: number }
export const DebugHeldNotification = new NotificationType<DebugHeldParams>('debug/held');

export const SyscallSummaryNotification = new NotificationType<{ sessionId: string; rows: SyscallSummaryRow[] }>('session/syscallSummaryChanged');

/* a remote host (agent --host) */

export interface HostProgressParams { message: string }
/** While connecting and deploying: one line of what the agent is doing. */
export const HostProgressNotification = new NotificationType<HostProgressParams>('host/progress');
export type HostLinkState = 'connected' | 'disconnected';
export interface HostStateParams {
  state: HostLinkState;
  /** for 'disconnected': what ssh said */
  reason?: string;
  /** for 'disconnected': events that may have been missed across all sessions */
  missed?: number | 'unknown';
}
/** The link to the host came up or dropped (every active session then ends 'disconnected'). */
export const HostStateNotification = new NotificationType<HostStateParams>('host/state');
/** Re-establishes the link (the same checks as initialize); answers with the host as found. */
export const HostReconnectRequest = new RequestType0<HostInfo, void>('host/reconnect');
