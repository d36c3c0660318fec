/*
 * One trace, as a small state machine (starting → running → exited | stopped
 * | failed): starts the platform's probe through its backend, routes its
 * packets (records into the pipeline of stages and sinks, control packets to
 * the state machine), and adds running processes on request. Shared by
 * `runtime-lens trace` and the RPC server.
 */
import { machine } from 'node:os';
import type { Backend, ProbeControl } from '../backend/backend';
import type { Hello, ProbeError, ProbeStats, SysAggRow, TargetInfo } from '../decode/control';
import { ABI_VERSION, ProbeErrorCode, TargetState } from '../decode/layout';
import { PacketSplitter } from '../decode/packets';
import { RecordDecoder } from '../decode/records';
import { Enricher } from '../enrich/enricher';
import { Pipeline } from '../pipeline/pipeline';
import type { SinkFactory, StageFactory } from '../pipeline/stage';
import { STAGES } from '../pipeline/stages';
import { ErrorCodes, type AttachTarget, type EventGroup, type LaunchTarget, type LossReason, type LostBound, type SessionState } from '../protocol';
import type { CountedKind } from '../model/event-model';
import type { CompiledRule } from '../rules/compile';
import { signalName } from '../syscalls/errno';
import { archFromMachine, type Arch } from '../syscalls/names';
import { ProcessAdder } from './add-process';
import { errorCodeForProbe, SessionError } from './errors';
import { lossStats, withUndelivered, type LossStats } from './loss';
import { routePacket, type PacketHandlers } from './packet-router';
import { ProbeDiagnostics } from './probe-diagnostics';
import { PythonReports } from '../runtimes/python/python-reports';
import { NodeReports } from '../runtimes/node/node-reports';
import { PythonAttach } from '../runtimes/python/attach/python-attach';
import { loadLayouts } from '../runtimes/python/attach/py-layouts';
import { CommandWord } from '../decode/commands';

export type { LossStats } from './loss';

export interface SessionOptions {
  /** the platform: its probe and host facts */
  backend: Backend;
  target: LaunchTarget | AttachTarget;
  events: readonly EventGroup[];
  /** syscall names (or numbers) for the syscall stream; all when omitted */
  syscalls?: readonly string[];
  ringbufBytes?: number;
  /** user-stack bytes copied per exec/file/net/dns record: events get frames (symbolize stage); no stacks when omitted */
  stackBytes?: number;
  redact: boolean;
  probePath: string;
  /** how often the probe reports STATS (ms) */
  statsMs?: number;
  /** for stdio 'inherit': the agent's fds the target's stdin/stdout/stderr use (default 0,1,2) */
  inheritFds?: [number, number, number];
  /** where the staged records go (eventSink, ndjsonSink, ...) */
  sinks: readonly SinkFactory[];
  /** report channels made beforehand (a debug hold's, whose processes were started with their environment): used, not closed */
  reports?: { python?: PythonReports; node?: NodeReports };
  /** stages an option adds after the standard ones (drift against a baseline) */
  extraStages?: readonly StageFactory[];
  /** the rules events are judged by (rules/compile.ts); none: no findings */
  rules?: readonly CompiledRule[];
}

/** Everything a session reports besides its records (which go to its sinks); all optional except state. */
export interface SessionHandlers {
  state(state: SessionState, info: { exitCode?: number; signal?: string; message?: string; code?: number; missed?: number | 'unknown' }): void;
  output?(stream: 'stdout' | 'stderr', data: Buffer): void;
  stats?(stats: LossStats): void;
  sysagg?(rows: SysAggRow[]): void;
  /** something went wrong that does not end the session (malformed records, probe stderr) */
  warning?(message: string): void;
}

/** How the session ended. */
export interface SessionResult {
  state: SessionState;
  /** the target's exit status (128+signal when killed), when it exited */
  exitCode?: number;
  signal?: string;
  message?: string;
  code?: number;
  /** 'disconnected': events the probe may have sent that never arrived */
  missed?: number | 'unknown';
  lostTotal: number;
  lostBound?: LostBound;
  lostReasons: Partial<Record<LossReason, number>>;
  /** lost events of each kind (those lost with a dead probe are not known by kind) */
  lostByKind: Partial<Record<CountedKind, number>>;
  malformed: number;
}

/** How long a launched target gets to exit after SIGTERM when its session is stopped. */
export const TERMINATE_GRACE_MS = 500;

function isAttach(t: LaunchTarget | AttachTarget): t is AttachTarget {
  return typeof (t as AttachTarget).pid === 'number';
}

/** A running trace. Create with TraceSession.start(). */
export class TraceSession {
  /** pid of the launched or attached process (valid once start() resolved) */
  pid = 0;
  state: SessionState = 'starting';
  /**
   * Resolves when every event was handed on and the probe has exited, or has closed its packet
   * stream after a stop, the target's exit or an error (it may still be detaching its programs).
   */
  readonly done: Promise<SessionResult>;

  private readonly splitter: PacketSplitter;
  private readonly decoder = new RecordDecoder();
  private readonly diagnostics: ProbeDiagnostics;
  private readonly adder: ProcessAdder;
  private enricher: Enricher | undefined;
  private pipeline: Pipeline | undefined;
  /** Python stacks of a launched target's Python processes */
  private python: PythonReports | undefined;
  private probe: ProbeControl | undefined;
  /** JS stacks of a launched target's Node processes */
  private node: NodeReports | undefined;
  /** Python frames of attached processes, read by the probe */
  private pythonAttach: PythonAttach | undefined;
  private firstError: ProbeError | undefined;
  private targetExit: { exitCode: number; signal: number } | undefined;
  private stopRequested = false;
  private ended = false;
  /** the link to the (remote) host dropped: why */
  private disconnected: string | undefined;
  private lost: LossStats = { events: {}, lost: {}, lostTotal: 0, reasons: {}, queuedBytes: 0 };
  private probeStats: ProbeStats | undefined;
  private started!: { resolve(pid: number): void; reject(e: Error): void; settled: boolean };
  private resolveDone!: (r: SessionResult) => void;

  private constructor(private readonly opts: SessionOptions, private readonly on: SessionHandlers) {
    const packets: PacketHandlers = {
      records: (buf, start, end) => this.records(buf, start, end), hello: (h) => this.hello(h), stats: (st) => this.stats(st),
      target: (t) => this.target(t), sysagg: (rows) => this.on.sysagg?.(rows), error: (e) => this.error(e),
      unknown: (type, bytes) => this.on.warning?.(`probe sent an unknown packet type ${type} (${bytes} bytes); skipped`),
    };
    this.splitter = new PacketSplitter((type, buf, start, end) => routePacket(type, buf, start, end, packets));
    this.diagnostics = new ProbeDiagnostics((line) => this.on.warning?.(line));
    this.adder = new ProcessAdder(() => this.probe, (pid) => this.enricher?.seedFromHost(pid, opts.backend.host));
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
  }

  /**
   * Checks the target, starts the probe, and resolves with the session once
   * the target runs (launch) or is attached; rejects with a SessionError.
   */
  static async start(opts: SessionOptions, on: SessionHandlers): Promise<TraceSession> {
    const s = new TraceSession(opts, on);
    try {
      await s.run();
    } catch (e) {
      if (s.probe) {
        // let the probe finish its own error output and detach before reporting
        const timer = setTimeout(() => s.kill(), 5000);
        s.stop();
        await s.done;
        clearTimeout(timer);
      }
      throw e;
    }
    return s;
  }

  private async run(): Promise<void> {
    const o = this.opts;
    const startedPromise = new Promise<number>((resolve, reject) => { this.started = { resolve, reject, settled: false }; });
    if (o.reports) {
      this.python = o.reports.python;
      this.node = o.reports.node;
    }
    // a remote host's launched target cannot reach this machine's report FIFOs
    const target = isAttach(o.target) || o.reports || o.backend.remote ? o.target : this.withNodeReports(this.withPythonReports(o.target));
    if (isAttach(o.target)) await o.backend.host.refresh?.(o.target.pid);
    try {
      this.probe = await o.backend.probe.start(o.probePath, { ...o, target, statsMs: o.statsMs ?? 1000, pythonStacks: true }, {
        packets: (chunk) => this.data(chunk),
        diagnostics: (chunk) => this.diagnostics.push(chunk),
        targetOutput: (stream, data) => this.on.output?.(stream, data),
        // A stream that ends in order (after a stop, the target's exit or an error) ends the session at once:
        // the probe closes it before it detaches its programs, which can take seconds.
        packetsEnded: () => { if (this.stopRequested || this.targetExit || this.firstError) this.exited(undefined, undefined); },
        exited: ({ code, signal, startError, disconnected }) => {
          if (startError) this.firstError ??= { code: 0, errno: 0, message: `cannot run ${o.probePath}: ${startError}` };
          this.disconnected = disconnected;
          this.exited(code, signal);
        },
      });
    } catch (e) {
      this.closeRuntimeReports(); // no probe, so no exit will close them
      throw e;
    }
    if (isAttach(o.target)) this.pid = o.target.pid;
    this.pid = await startedPromise;
  }

  /** Closes the Python and Node report channels (their FIFOs and folders go) unless their owner gave them. */
  private closeRuntimeReports(): void {
    if (this.opts.reports) return;
    this.python?.close();
    this.python = undefined;
    this.node?.close();
    this.node = undefined;
  }

  /** The launched target with the environment that makes its Python processes report their stacks (unchanged when that cannot be set up). */
  private withPythonReports(t: LaunchTarget): LaunchTarget {
    try {
      this.python = PythonReports.open();
    } catch (e) {
      this.on.warning?.(`Python processes of this target will have no Python stacks: ${(e as Error).message}`);
      return t;
    }
    return { ...t, env: { ...t.env, ...this.python.env(t.env?.PYTHONPATH ?? process.env.PYTHONPATH) } };
  }

  /** A launched target's Node processes report their JS stacks (node-reports.ts): its environment gets the preload and the channel. */
  private withNodeReports(t: LaunchTarget): LaunchTarget {
    try {
      this.node = NodeReports.open();
    } catch (e) {
      this.on.warning?.(`Node processes of this target will have no JS stacks: ${(e as Error).message}`);
      return t;
    }
    return { ...t, env: { ...t.env, ...this.node.env(t.env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS) } };
  }

  private data(chunk: Buffer): void {
    try {
      this.splitter.push(chunk);
    } catch (e) {
      this.on.warning?.((e as Error).message);
      this.stop();
      return;
    }
    this.flush();
  }

  private flush(): void {
    this.pipeline?.flush();
  }

  /* Packet handlers (packet-router.ts). */

  private records(buf: Buffer, start: number, end: number): void {
    if (!this.pipeline) { this.on.warning?.('probe sent records before HELLO; they cannot be timed and were skipped'); return; }
    const before = this.decoder.problemCount;
    this.decoder.visit(buf, start, end, this.pipeline);
    if (this.decoder.problemCount > before) {
      const p = this.decoder.problems[this.decoder.problems.length - 1];
      this.on.warning?.(`${this.decoder.problemCount - before} malformed record(s) skipped: ${p?.reason ?? ''}`);
    }
  }

  private hello(h: Hello): void {
    if (h.abiVersion !== ABI_VERSION) {
      this.firstError ??= { code: 0, errno: 0, message: `probe ABI version ${h.abiVersion} does not match the agent's ${ABI_VERSION}: rebuild both from the same tree` };
      this.failStart(this.firstError);
      this.stop();
      return;
    }
    let arch: Arch = archFromMachine(machine());
    try { arch = archFromMachine(h.machine); } catch (e) { this.on.warning?.((e as Error).message); }
    const host = this.opts.backend.host;
    this.enricher = new Enricher({ arch, realtimeOffsetNs: h.realtimeOffsetNs, redact: this.opts.redact });
    const t = this.opts.target;
    if (isAttach(t)) this.enricher.seedFromHost(t.pid, host);
    try {
      this.pythonAttach = new PythonAttach(loadLayouts(), (reg) => this.probe?.registerPython(reg), host);
    } catch (e) {
      this.on.warning?.(`attached Python processes will have no Python stacks: ${(e as Error).message}`);
    }
    if (isAttach(t)) this.pythonAttach?.attach(t.pid);
    this.pipeline = new Pipeline({
      enricher: this.enricher, host, stacks: this.opts.stackBytes !== undefined, python: this.python, node: this.node, rules: this.opts.rules,
      pythonAttach: this.pythonAttach, symbolizer: this.opts.backend.symbolizer?.(),
    }, this.decoder, this.opts.sinks, [...STAGES, ...this.opts.extraStages ?? []]);
  }

  private stats(s: ProbeStats): void {
    this.flush();
    this.probeStats = s;
    this.lost = lossStats(s);
    this.on.stats?.(this.lost);
  }

  private target(t: TargetInfo): void {
    if (t.state === TargetState.STARTED || t.state === TargetState.ATTACHED) {
      this.pid = t.pid;
      this.setState('running', {});
      if (!this.started.settled) { this.started.settled = true; this.started.resolve(t.pid); }
    } else if (t.state === TargetState.ADDED) {
      this.adder.accepted(t.pid);
      this.pythonAttach?.attach(t.pid);
    } else if (t.state === TargetState.EXITED) {
      this.flush();
      this.targetExit = { exitCode: t.exitCode, signal: t.signal };
    }
  }

  private error(err: ProbeError): void {
    this.diagnostics.reportedByPacket(err.message);
    if (err.code === ProbeErrorCode.DEGRADED) {
      // one event group is missing; the session goes on with the others
      this.on.warning?.(err.message);
      return;
    }
    if (this.adder.refused(err, (code) => this.opts.backend.probe.fixesForError(code, this.opts.probePath))) return;
    if (err.message.startsWith(`${CommandWord.PYTHON} `)) {
      // a process whose Python frames the probe would not walk: its events come without them
      this.on.warning?.(`probe: ${err.message}`);
      return;
    }
    this.firstError ??= err;
    if (this.started.settled) this.on.warning?.(`probe: ${err.message}`);
    else this.failStart(err);
  }

  /* The state machine. */

  private failStart(err: ProbeError): void {
    if (this.started.settled) return;
    this.started.settled = true;
    const code = err.code ? errorCodeForProbe(err.code) : ErrorCodes.ProbeFailed;
    this.started.reject(new SessionError(code, err.message, err.code ? this.opts.backend.probe.fixesForError(err.code, this.opts.probePath) : []));
  }

  private setState(state: SessionState, info: Parameters<SessionHandlers['state']>[1]): void {
    if (this.state === state) return;
    this.state = state;
    this.on.state(state, info);
  }

  private exited(probeExit: number | undefined, probeSignal: string | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.flush();
    // events a stage completes later (symbolize) reach the sinks before the session reports its end
    const idle = this.pipeline?.idle();
    if (idle) void idle.then(() => this.finish(probeExit, probeSignal));
    else this.finish(probeExit, probeSignal);
  }

  private finish(probeExit: number | undefined, probeSignal: string | undefined): void {
    this.pipeline?.close();
    this.closeRuntimeReports();
    this.diagnostics.flush();
    this.adder.ended();
    const pending = this.splitter.pendingBytes;
    if (pending) this.on.warning?.(`probe output ended inside a packet (${pending} bytes cut off)`);
    const tail = this.diagnostics.tail;
    if (tail.trim()) this.on.warning?.(`lens-probe: ${tail}`);
    const died = this.started.settled && !this.probeStats?.final;
    this.lost = withUndelivered(this.lost, this.probeStats, this.decoder.received, died);
    this.on.stats?.(this.lost);
    let result: SessionResult;
    const base = {
      lostTotal: this.lost.lostTotal, lostBound: this.lost.lostBound, lostReasons: this.lost.reasons, lostByKind: this.lost.lost, malformed: this.decoder.problemCount,
    };
    if (this.disconnected && this.started.settled) {
      // the events received are kept; what the probe sent after the link dropped is not known
      result = { ...base, state: 'disconnected', message: this.disconnected, missed: 'unknown' };
      this.setState('disconnected', { message: this.disconnected, missed: 'unknown' });
    } else if (this.targetExit) {
      const signal = this.targetExit.signal ? signalName(this.targetExit.signal) : undefined;
      const exitCode = this.targetExit.signal ? 128 + this.targetExit.signal : this.targetExit.exitCode;
      result = { ...base, state: 'exited', exitCode, signal };
      this.setState('exited', { exitCode, signal });
    } else if (this.firstError || probeSignal || (!this.stopRequested && (probeExit !== 0 || !this.started.settled))) {
      const message = this.firstError?.message
        ?? (probeSignal ? `lens-probe was killed by ${probeSignal}; events received before that were delivered, ${
          this.lost.lostBound === 'atLeast' ? `at least ${this.lost.lostTotal} it had queued were lost` : 'those it had queued were lost (how many is unknown)'}`
          : !this.started.settled ? `lens-probe exited with status ${probeExit} before reporting the target; check that ${this.opts.probePath} is a lens-probe built from this tree (make -C bpf/linux)`
            : `lens-probe exited with status ${probeExit} without an error message${tail ? ': ' + tail : ''}`);
      const code = this.firstError?.code ? errorCodeForProbe(this.firstError.code) : ErrorCodes.ProbeFailed;
      result = { ...base, state: 'failed', message, code };
      this.setState('failed', { message, code });
      this.failStart(this.firstError ?? { code: 0, errno: 0, message });
    } else {
      result = { ...base, state: 'stopped' };
      this.setState('stopped', {});
      this.failStart({ code: 0, errno: 0, message: 'stopped before the target started' });
    }
    // After a stop, a launched target that still runs is ended like strace ends its own tracee; never an attached one.
    if (this.stopRequested && !isAttach(this.opts.target) && this.pid && this.started.settled && !this.targetExit) {
      this.probe?.endTarget(this.pid, TERMINATE_GRACE_MS);
    }
    this.probe?.release();
    this.resolveDone(result);
  }

  /* Requests. */

  /** Asks the probe to stop (detach, flush, exit). Safe to call more than once. */
  stop(): void {
    this.stopRequested = true;
    this.probe?.stop();
  }

  /** Kills the probe (after stop() did not end it in time). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.probe?.kill(signal);
  }

  /** Asks the probe for fresh STATS (and SYSAGG in syscount mode). */
  requestStats(): void {
    this.probe?.requestStats();
  }

  /**
   * Follows a running process and its descendants from now on. Resolves once the probe has taken
   * it; rejects with a SessionError when the process does not exist or the probe refuses it (a
   * non-root user may add only what they could ptrace).
   */
  async addProcess(pid: number): Promise<void> {
    if (this.state !== 'running' || this.ended) {
      throw new SessionError(ErrorCodes.InvalidRequest, `the session is ${this.state}: processes can be added only while it runs`);
    }
    await this.opts.backend.host.refresh?.(pid);
    if (!this.opts.backend.host.exists(pid)) {
      throw new SessionError(ErrorCodes.NoSuchProcess, `no process with pid ${pid}; pick a running process (\`ps -e\` lists them)`);
    }
    await this.adder.add(pid);
  }

  /**
   * Writes to the target's stdin (stdio 'pipe' only). Throws when there is no such pipe, or when the target
   * would then have more than INPUT_PENDING_MAX_BYTES sent and not read (nothing is written then).
   */
  input(data: Buffer): void {
    if (!this.probe) throw new SessionError(ErrorCodes.InvalidParams, 'this session has no stdin pipe: start it with target.stdio "pipe"');
    this.probe.input(data);
  }

  /** Stops (true) or restarts reading the target's stdout/stderr: while stopped it blocks writing, as on a terminal nobody reads. */
  holdOutput(held: boolean): void {
    this.probe?.holdOutput(held);
  }

  /** Latest delivered/lost counters. */
  get lossStats(): LossStats {
    return this.lost;
  }

  /** The session's process table etc. (after HELLO). */
  get enrichment(): Enricher | undefined {
    return this.enricher;
  }
}
