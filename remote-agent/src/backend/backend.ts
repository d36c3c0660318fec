/*
 * The seam between the agent and the platform it traces on. A backend gives
 * the pipeline a probe (started with options; a stream of packets out; typed
 * control in) and host facts (processes and what they hold). backend/linux
 * is the only place that knows /proc, lens-probe's argv and signals; a
 * Windows backend slots in beside it, and the pipeline never asks which OS
 * it runs on (backend/platform.ts picks the backend).
 */
import type { ProbeCommand } from '../decode/commands';
import type { AgentCapabilities, AttachTarget, DoctorCheck, EventGroup, Fix, LaunchTarget, ProcessInfo } from '../protocol';

/** A Python process whose frame chain the probe reads at its events (decode/commands.ts, python). */
export type PythonRegistration = Omit<Extract<ProbeCommand, { op: 'python' }>, 'op'>;

/** What a probe is started with. */
export interface ProbeOptions {
  target: LaunchTarget | AttachTarget;
  events: readonly EventGroup[];
  /** syscall names (or numbers) for the syscall stream; all when omitted */
  syscalls?: readonly string[];
  ringbufBytes?: number;
  /** user-stack bytes copied per exec/file/net/dns record (--stacks); no stacks when omitted */
  stackBytes?: number;
  /** how often the probe reports its counters (ms) */
  statsMs: number;
  /** processes registered with registerPython get their Python frames */
  pythonStacks?: boolean;
  /** for stdio 'inherit': the agent's fds the target's stdin/stdout/stderr use (default 0,1,2) */
  inheritFds?: [number, number, number];
}

/** What a running probe reports, in the order it happens. */
export interface ProbeListener {
  /** bytes of the packet stream (events.h framing), in order, cut anywhere */
  packets(chunk: Buffer): void;
  /** the probe's own diagnostic text (its stderr) */
  diagnostics(chunk: Buffer): void;
  /** output of a launched target whose stdio is 'pipe' */
  targetOutput(stream: 'stdout' | 'stderr', data: Buffer): void;
  /** the packet stream ended; the probe may still be detaching its programs */
  packetsEnded(): void;
  /**
   * the probe is gone (its packet stream ended or a grace period passed); startError: it never ran;
   * disconnected: the link to its (remote) host dropped, why — how it ended is not known
   */
  exited(info: { code?: number; signal?: string; startError?: string; disconnected?: string }): void;
}

/** Typed control of a running probe. */
export interface ProbeControl {
  /** the probe's own process id (not the target's) */
  readonly probePid: number | undefined;
  /** follows a running process and its descendants (the probe answers a refusal with an ERROR packet) */
  addPid(pid: number): void;
  /** stops following a process */
  removePid(pid: number): void;
  /** walks a Python process's frames at its events from now on (a refusal is an ERROR packet) */
  registerPython(reg: PythonRegistration): void;
  /** asks for fresh counters (and the in-kernel syscall aggregation) */
  requestStats(): void;
  /** asks the probe to detach, flush and exit; safe to call more than once */
  stop(): void;
  /** ends the probe at once (after stop() did not end it in time) */
  kill(signal?: NodeJS.Signals): void;
  /** writes to the launched target's stdin (stdio 'pipe'); throws a SessionError when it cannot */
  input(data: Buffer): void;
  /** stops (true) or restarts reading the target's output */
  holdOutput(held: boolean): void;
  /** after a stop: ends a launched target that still runs (never an attached one) */
  endTarget(pid: number, graceMs: number): void;
  /** the probe may still be detaching: it must not keep the agent alive */
  release(): void;
}

/** Finding, checking and starting the platform's probe. */
export interface ProbeBackend {
  /** the probe binary, or why there is none and what to do */
  locate(): { path: string } | { error: string; fixes: Fix[] };
  /** whether the probe can get its privileges: null when it can */
  privilegeProblem(probePath: string): AgentCapabilities['problem'];
  /**
   * Checks a target before any probe runs, so a typo gets a clear answer: throws a SessionError
   * for a missing command or process; returns the launched program's resolved path.
   */
  checkTarget(target: LaunchTarget | AttachTarget, env: NodeJS.ProcessEnv): { execPath?: string };
  /** Starts the probe; what it writes goes to `listener`. Throws a SessionError for bad options. */
  start(probePath: string, options: ProbeOptions, listener: ProbeListener): Promise<ProbeControl>;
  /** fixes for a probe ERROR packet's code */
  fixesForError(code: number, probePath: string): Fix[];
}

/** One process as the host sees it now. */
export interface ProcessFacts {
  pid: number;
  ppid: number;
  comm: string;
  /** one letter: R, S, D, Z (exited, not reaped yet), ... */
  state: string;
  /** start time, ns since boot; with pid, the process key */
  startNs: number;
}

/** A file mapped into a process (/proc/PID/maps on Linux). */
export interface Mapping { start: number; offset: number; inode: number; path: string }

/** A process's memory, read as a debugger would (only what the user may read). */
export interface ProcessMemory {
  /** len bytes at addr, or undefined when they cannot be read (unmapped, the process gone, no right) */
  read(addr: number, len: number): Buffer | undefined;
  close(): void;
}

/** Facts about the host's processes; every reader returns undefined for a process that is gone. */
export interface HostFacts {
  /**
   * For hosts whose facts are read at a distance (over ssh): takes a fresh snapshot, with exe,
   * cwd and fds of `pid` and its descendants; the readers below answer from the last snapshot.
   */
  refresh?(pid?: number): Promise<void>;
  process(pid: number): ProcessFacts | undefined;
  exists(pid: number): boolean;
  /** every visible process id */
  pids(): number[];
  cmdline(pid: number): string[] | undefined;
  cwd(pid: number): string | undefined;
  /** the program file the process runs */
  exe(pid: number): string | undefined;
  /** the inode of that file */
  exeInode(pid: number): number | undefined;
  /** the files mapped into the process */
  mappings(pid: number): Mapping[] | undefined;
  /** where to open a file the process names, as the process sees it (its root) */
  fileAs(pid: number, file: string): string;
  /** the process's memory (opened at its first read) */
  memory(pid: number): ProcessMemory;
  /** real user id */
  uid(pid: number): number | undefined;
  /** open fds and what they refer to (paths, `socket:[inode]`, ...) */
  fds(pid: number): Map<number, string>;
  /** every process for attach pickers, command lines redacted */
  list(): ProcessInfo[];
  /** a user id's name (the number when the system does not name it) */
  userName(uid: number): string;
}

/** A platform: its probe, its host facts, and its health checks. */
export interface Backend {
  /** process.platform value this backend serves */
  readonly platform: string;
  readonly probe: ProbeBackend;
  readonly host: HostFacts;
  /** what this machine and user can do, each missing thing with its fix */
  doctor(): DoctorCheck[] | Promise<DoctorCheck[]>;
  /**
   * The traced host is not this machine (reached over ssh): a launched target cannot use this
   * machine's files (the Python and Node stack report channels are FIFOs here).
   */
  readonly remote?: boolean;
  /** How lens-symbolize runs for this host (default: the local binary, locateSymbolizer()). */
  symbolizer?(): { binary: string; args: string[] };
}
