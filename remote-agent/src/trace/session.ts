/*
 * One trace: runs lens-probe for a launch or attach target, splits and
 * decodes its output, enriches records into events and hands them on in the
 * batches they arrived in. Shared by `runtime-lens trace` and the RPC server.
 */
import type { ResultPromise } from 'execa';
import { closeSync, openSync } from 'node:fs';
import { machine } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { decodeError, decodeHello, decodeStats, decodeSysAgg, decodeTarget, type ProbeError, type ProbeStats, type SysAggRow } from '../decode/control';
import { encodeCommand } from '../decode/commands';
import { PacketSplitter } from '../decode/packets';
import { ABI_VERSION, PacketType, KIND_MAX, ProbeErrorCode, TargetState } from '../decode/layout';
import { RecordDecoder } from '../decode/records';
import { Enricher } from '../enrich/enricher';
import { KIND_OF_VALUE } from '../model/event-model';
import { Pipeline } from '../pipeline/pipeline';
import type { SinkFactory } from '../pipeline/stage';
import { linuxHostFacts } from '../backend/linux/host-facts';
import { ErrorCodes, INPUT_PENDING_MAX_BYTES, type AttachTarget, type EventGroup, type EventKind, type LaunchTarget, type LossReason, type LostBound, type SessionState } from '../protocol';
import { signalName } from '../syscalls/errno';
import { archFromMachine, syscallTable, type Arch } from '../syscalls/names';
import { errorCodeForProbe, fixesForProbe, SessionError } from './errors';
import { withUndelivered } from './loss';
import { readStat } from '../proc/procfs';
import { checkPid, resolveCommand } from './target';

export interface SessionOptions {
  target: LaunchTarget | AttachTarget;
  events: readonly EventGroup[];
  /** syscall names (or numbers) for the syscall stream; all when omitted */
  syscalls?: readonly string[];
  ringbufBytes?: number;
  redact: boolean;
  probePath: string;
  /** how often the probe reports STATS (ms) */
  statsMs?: number;
  /** for stdio 'inherit': the agent's fds the target's stdin/stdout/stderr use (default 0,1,2) */
  inheritFds?: [number, number, number];
  /** where the staged records go (eventSink, ndjsonSink, ...) */
  sinks: readonly SinkFactory[];
}

/** Everything a session reports besides its records (which go to its sinks); all optional except state. */
export interface SessionHandlers {
  state(state: SessionState, info: { exitCode?: number; signal?: string; message?: string; code?: number }): void;
  output?(stream: 'stdout' | 'stderr', data: Buffer): void;
  stats?(stats: LossStats): void;
  sysagg?(rows: SysAggRow[]): void;
  /** something went wrong that does not end the session (malformed records, probe stderr) */
  warning?(message: string): void;
}

/** Delivered/lost counters by event kind, from the probe's latest STATS packet. */
export interface LossStats {
  events: Partial<Record<EventKind, number>>;
  lost: Partial<Record<EventKind, number>>;
  lostTotal: number;
  /** lostTotal by reason */
  reasons: Partial<Record<LossReason, number>>;
  queuedBytes: number;
  /** the probe died: lostTotal is a lower bound, or unknown (loss.ts) */
  lostBound?: LostBound;
}

/** How the session ended. */
export interface SessionResult {
  state: SessionState;
  /** the target's exit status (128+signal when killed), when it exited */
  exitCode?: number;
  signal?: string;
  message?: string;
  code?: number;
  lostTotal: number;
  lostBound?: LostBound;
  lostReasons: Partial<Record<LossReason, number>>;
  /** lost events of each kind (those lost with a dead probe are not known by kind) */
  lostByKind: Partial<Record<EventKind, number>>;
  malformed: number;
}

/** How long a launched target gets to exit after SIGTERM when its session is stopped. */
export const TERMINATE_GRACE_MS = 500;

function isAttach(t: LaunchTarget | AttachTarget): t is AttachTarget {
  return typeof (t as AttachTarget).pid === 'number';
}

function kindName(k: number): EventKind | undefined {
  return KIND_OF_VALUE[k];
}

/** Converts cumulative STATS into per-kind maps. */
export function lossStats(s: ProbeStats): LossStats {
  const events: Partial<Record<EventKind, number>> = {};
  const lost: Partial<Record<EventKind, number>> = {};
  let lostTotal = 0;
  for (let k = 1; k < KIND_MAX; k++) {
    const name = kindName(k);
    if (!name) continue;
    if (s.events[k]) events[name] = (events[name] ?? 0) + s.events[k];
    if (s.dropped[k]) { lost[name] = (lost[name] ?? 0) + s.dropped[k]; lostTotal += s.dropped[k]; }
  }
  lostTotal += s.dropped[0] ?? 0; // kind 0: drops the probe could not attribute
  return { events, lost, lostTotal, reasons: lostTotal ? { buffers_full: lostTotal } : {}, queuedBytes: s.queuedBytes };
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
  private enricher: Enricher | undefined;
  private pipeline: Pipeline | undefined;
  private probe: ResultPromise | undefined;
  private firstError: ProbeError | undefined;
  private target: { exitCode: number; signal: number } | undefined;
  private stopRequested = false;
  private ended = false;
  private lost: LossStats = { events: {}, lost: {}, lostTotal: 0, reasons: {}, queuedBytes: 0 };
  private probeStats: ProbeStats | undefined;
  private started!: { resolve(pid: number): void; reject(e: Error): void; settled: boolean };
  private resolveDone!: (r: SessionResult) => void;
  private stderrTail = '';
  private readonly stderrLines: string[] = [];
  private stderrTimer: NodeJS.Timeout | undefined;
  private readonly errorMessages: string[] = [];
  private readonly arch: Arch;

  private constructor(private readonly opts: SessionOptions, private readonly on: SessionHandlers) {
    this.splitter = new PacketSplitter((type, buf, start, end) => this.packet(type, buf, start, end));
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    this.arch = archFromMachine(machine());
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

  /** @param execPath the launched command resolved like execvp does (the probe then does not search PATH) */
  private probeArgs(execPath: string | undefined): string[] {
    const o = this.opts;
    const args = ['--events', o.events.join(',')];
    if (o.syscalls && o.syscalls.length) {
      const table = syscallTable(this.arch);
      const nrs = o.syscalls.map((n) => {
        const nr = table.number(n);
        if (nr === undefined) throw new SessionError(ErrorCodes.InvalidParams, `unknown syscall '${n}' for ${this.arch}: use names like read,write,openat or numbers`);
        return nr;
      });
      args.push('--syscalls', nrs.join(','));
    }
    if (o.ringbufBytes !== undefined) args.push('--ringbuf-bytes', String(o.ringbufBytes));
    args.push('--stats-ms', String(o.statsMs ?? 1000));
    const t = o.target;
    if (isAttach(t)) args.push('--pid', String(t.pid));
    else {
      if (execPath) args.push('--exec-path', execPath);
      args.push('--', ...t.command);
    }
    return args;
  }

  private devNull: number | undefined;

  private stdioFor(t: LaunchTarget | AttachTarget): Array<'pipe' | 'ignore' | number> {
    if (isAttach(t)) return ['pipe', 'pipe', 'pipe'];
    const mode = t.stdio ?? 'inherit';
    if (mode === 'pipe') return ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'];
    if (mode === 'null') {
      // An fd that is not open at all would leave the target with the probe's own stdio: give it /dev/null.
      this.devNull ??= openSync('/dev/null', 'r+');
      return ['pipe', 'pipe', 'pipe', this.devNull, this.devNull, this.devNull];
    }
    const [i, o, e] = this.opts.inheritFds ?? [0, 1, 2];
    return ['pipe', 'pipe', 'pipe', i, o, e];
  }

  private async run(): Promise<void> {
    const t = this.opts.target;
    const env = { ...process.env, ...(isAttach(t) ? {} : t.env) };
    const cwd = isAttach(t) ? process.cwd() : (t.cwd ?? process.cwd());
    let execPath: string | undefined;
    if (isAttach(t)) {
      checkPid(t.pid);
    } else {
      if (!Array.isArray(t.command) || t.command.length === 0) {
        throw new SessionError(ErrorCodes.InvalidParams, 'target.command must be a non-empty array: [program, ...args]');
      }
      execPath = resolveCommand(t.command[0], cwd, env.PATH);
    }
    const args = this.probeArgs(execPath);
    const startedPromise = new Promise<number>((resolve, reject) => { this.started = { resolve, reject, settled: false }; });
    // execa is ESM-only: loaded on first use so CommonJS callers (the bundle, mocha via tsx) can import this module.
    const { execa } = await import('execa');
    this.probe = execa(this.opts.probePath, args, {
      cwd, env, extendEnv: false, stdio: this.stdioFor(t) as never, buffer: false, reject: false, stripFinalNewline: false,
    });
    const proc = this.probe!;
    (proc.stdout as Readable).on('data', (chunk: Buffer) => this.data(chunk));
    (proc.stderr as Readable).on('data', (chunk: Buffer) => this.probeStderr(chunk));
    const stdio = proc.stdio as unknown as Array<Readable | Writable | null>;
    if (stdio[4]) (stdio[4] as Readable).on('data', (d: Buffer) => this.on.output?.('stdout', d));
    if (stdio[5]) (stdio[5] as Readable).on('data', (d: Buffer) => this.on.output?.('stderr', d));
    (proc.stdin as Writable).on('error', () => { /* probe gone; its exit is reported below */ });
    if (stdio[3]) (stdio[3] as Writable).on('error', () => { /* target closed its stdin */ });
    // The probe's exit plus the end of its packet stream ends the session. Not execa's result: that also waits
    // for every stdio pipe, which a still-running target (probe killed) can hold open indefinitely.
    // A stream that ends in order (after a stop, the target's exit or an error) ends it at once: the probe
    // closes stdout before it detaches its programs, which can take seconds.
    void proc.catch(() => { /* reject: false; failures arrive through 'exit' */ });
    let probeExited = false;
    const stdoutEnded = new Promise<void>((resolve) => (proc.stdout as Readable).once('close', resolve));
    void stdoutEnded.then(() => {
      if (!probeExited && (this.stopRequested || this.target || this.firstError)) this.exited(undefined, undefined);
    });
    proc.once('exit', (code, signal) => {
      probeExited = true;
      this.closeDevNull();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, 1000); });
      void Promise.race([stdoutEnded, grace]).then(() => {
        clearTimeout(timer);
        this.exited(code ?? undefined, signal ?? undefined);
      });
    });
    proc.once('error', (e: NodeJS.ErrnoException) => {
      // the probe could not be started at all (no 'exit' follows)
      if (e.syscall?.startsWith('spawn')) {
        this.firstError ??= { code: 0, errno: 0, message: `cannot run ${this.opts.probePath}: ${e.message}` };
        this.exited(undefined, undefined);
      }
    });
    if (isAttach(t)) this.pid = t.pid;
    this.pid = await startedPromise;
  }

  private closeDevNull(): void {
    if (this.devNull !== undefined) { closeSync(this.devNull); this.devNull = undefined; }
  }

  /** The probe may still be detaching its programs: it must not keep this process alive. */
  private releaseProbe(): void {
    const proc = this.probe;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.unref();
    for (const s of proc.stdio as unknown as Array<{ unref?(): void } | null>) s?.unref?.();
  }

  /**
   * After a stop, a launched target that still runs is ended like strace ends its own tracee:
   * SIGTERM, then SIGKILL after TERMINATE_GRACE_MS. Never an attached process. The probe (its parent)
   * has not reaped it, so the pid is still the target's; the start time guards the later SIGKILL.
   */
  private terminateTarget(): void {
    const pid = this.pid;
    if (isAttach(this.opts.target) || !pid || !this.started.settled || this.target) return;
    const stat = readStat(pid);
    const probePid = this.probe?.pid;
    const probeAlive = this.probe?.exitCode === null && this.probe.signalCode === null;
    if (!stat || (probeAlive && stat.ppid !== probePid)) return;
    try { process.kill(pid, 'SIGTERM'); } catch { return; }
    // Not our child, so no exit event: look every few ms, and let this process exit as soon as the target has.
    const deadline = Date.now() + TERMINATE_GRACE_MS;
    const poll = setInterval(() => {
      const now = readStat(pid);
      if (!now || now.startNs !== stat.startNs || now.state === 'Z' || now.state === 'X') { clearInterval(poll); return; }
      if (Date.now() < deadline) return;
      clearInterval(poll);
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
    }, 20);
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

  private packet(type: number, buf: Buffer, start: number, end: number): void {
    switch (type) {
      case PacketType.RECORDS: {
        if (!this.pipeline) { this.on.warning?.('probe sent records before HELLO; they cannot be timed and were skipped'); return; }
        const before = this.decoder.problemCount;
        this.decoder.visit(buf, start, end, this.pipeline);
        if (this.decoder.problemCount > before) {
          const p = this.decoder.problems[this.decoder.problems.length - 1];
          this.on.warning?.(`${this.decoder.problemCount - before} malformed record(s) skipped: ${p?.reason ?? ''}`);
        }
        return;
      }
      case PacketType.HELLO: return this.hello(buf, start, end);
      case PacketType.STATS: {
        this.flush();
        this.probeStats = decodeStats(buf, start, end);
        this.lost = lossStats(this.probeStats);
        this.on.stats?.(this.lost);
        return;
      }
      case PacketType.TARGET: return this.targetPacket(buf, start, end);
      case PacketType.SYSAGG: return this.on.sysagg?.(decodeSysAgg(buf, start, end));
      case PacketType.ERROR: {
        const err = decodeError(buf, start, end);
        if (err.code === ProbeErrorCode.DEGRADED) {
          // one event group is missing; the session goes on with the others
          this.errorMessages.push(err.message);
          this.on.warning?.(err.message);
          return;
        }
        this.firstError ??= err;
        if (err.message) this.errorMessages.push(err.message);
        if (this.started.settled) this.on.warning?.(`probe: ${err.message}`);
        else this.failStart(err);
        return;
      }
      default:
        this.on.warning?.(`probe sent an unknown packet type ${type} (${end - start} bytes); skipped`);
    }
  }

  private hello(buf: Buffer, start: number, end: number): void {
    const h = decodeHello(buf, start, end);
    if (h.abiVersion !== ABI_VERSION) {
      this.firstError ??= { code: 0, errno: 0, message: `probe ABI version ${h.abiVersion} does not match the agent's ${ABI_VERSION}: rebuild both from the same tree` };
      this.failStart(this.firstError);
      this.stop();
      return;
    }
    let arch: Arch = this.arch;
    try { arch = archFromMachine(h.machine); } catch (e) { this.on.warning?.((e as Error).message); }
    this.enricher = new Enricher({ arch, realtimeOffsetNs: h.realtimeOffsetNs, redact: this.opts.redact });
    const t = this.opts.target;
    if (isAttach(t)) this.enricher.seedFromProc(t.pid);
    this.pipeline = new Pipeline({ enricher: this.enricher, host: linuxHostFacts() }, this.decoder, this.opts.sinks);
  }

  private targetPacket(buf: Buffer, start: number, end: number): void {
    const t = decodeTarget(buf, start, end);
    if (t.state === TargetState.STARTED || t.state === TargetState.ATTACHED) {
      this.pid = t.pid;
      this.setState('running', {});
      if (!this.started.settled) { this.started.settled = true; this.started.resolve(t.pid); }
    } else if (t.state === TargetState.EXITED) {
      this.flush();
      this.target = { exitCode: t.exitCode, signal: t.signal };
    }
  }

  private failStart(err: ProbeError): void {
    if (this.started.settled) return;
    this.started.settled = true;
    const code = err.code ? errorCodeForProbe(err.code) : ErrorCodes.ProbeFailed;
    this.started.reject(new SessionError(code, err.message, err.code ? fixesForProbe(err.code, this.opts.probePath) : []));
  }

  private probeStderr(chunk: Buffer): void {
    this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    const lines = this.stderrTail.split('\n');
    this.stderrTail = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) this.stderrLines.push(l);
    // The probe also reports failures as ERROR packets, which arrive on the other pipe: wait a moment
    // so a line that only repeats an ERROR packet is not shown twice.
    if (this.stderrLines.length && !this.stderrTimer) this.stderrTimer = setTimeout(() => this.flushStderr(), 100);
  }

  private flushStderr(): void {
    if (this.stderrTimer) { clearTimeout(this.stderrTimer); this.stderrTimer = undefined; }
    for (const l of this.stderrLines.splice(0)) {
      if (!this.errorMessages.some((m) => l.includes(m))) this.on.warning?.(`lens-probe: ${l.replace(/^lens-probe: /, '')}`);
    }
  }

  private setState(state: SessionState, info: Parameters<SessionHandlers['state']>[1]): void {
    if (this.state === state) return;
    this.state = state;
    this.on.state(state, info);
  }

  private exited(probeExit: number | undefined, probeSignal: string | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.closeDevNull();
    this.flush();
    this.flushStderr();
    const pending = this.splitter.pendingBytes;
    if (pending) this.on.warning?.(`probe output ended inside a packet (${pending} bytes cut off)`);
    if (this.stderrTail.trim()) this.on.warning?.(`lens-probe: ${this.stderrTail}`);
    const died = this.started.settled && !this.probeStats?.final;
    this.lost = withUndelivered(this.lost, this.probeStats, this.decoder.received, died);
    this.on.stats?.(this.lost);
    let result: SessionResult;
    const base = {
      lostTotal: this.lost.lostTotal, lostBound: this.lost.lostBound, lostReasons: this.lost.reasons, lostByKind: this.lost.lost, malformed: this.decoder.problemCount,
    };
    if (this.target) {
      const signal = this.target.signal ? signalName(this.target.signal) : undefined;
      const exitCode = this.target.signal ? 128 + this.target.signal : this.target.exitCode;
      result = { ...base, state: 'exited', exitCode, signal };
      this.setState('exited', { exitCode, signal });
    } else if (this.firstError || probeSignal || (!this.stopRequested && (probeExit !== 0 || !this.started.settled))) {
      const message = this.firstError?.message
        ?? (probeSignal ? `lens-probe was killed by ${probeSignal}; events received before that were delivered, ${
          this.lost.lostBound === 'atLeast' ? `at least ${this.lost.lostTotal} it had queued were lost` : 'those it had queued were lost (how many is unknown)'}`
          : !this.started.settled ? `lens-probe exited with status ${probeExit} before reporting the target; check that ${this.opts.probePath} is a lens-probe built from this tree (make -C bpf/linux)`
            : `lens-probe exited with status ${probeExit} without an error message${this.stderrTail ? ': ' + this.stderrTail : ''}`);
      const code = this.firstError?.code ? errorCodeForProbe(this.firstError.code) : ErrorCodes.ProbeFailed;
      result = { ...base, state: 'failed', message, code };
      this.setState('failed', { message, code });
      this.failStart(this.firstError ?? { code: 0, errno: 0, message });
    } else {
      result = { ...base, state: 'stopped' };
      this.setState('stopped', {});
      this.failStart({ code: 0, errno: 0, message: 'stopped before the target started' });
    }
    if (this.stopRequested) this.terminateTarget();
    this.releaseProbe();
    this.resolveDone(result);
  }

  /** Asks the probe to stop (detach, flush, exit). Safe to call more than once. */
  stop(): void {
    this.stopRequested = true;
    const stdin = this.probe?.stdin as Writable | null;
    if (stdin && !stdin.destroyed && stdin.writable) stdin.end(encodeCommand({ op: 'stop' }));
  }

  /** Kills the probe (after stop() did not end it in time). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.probe?.kill(signal);
  }

  /** Asks the probe for fresh STATS (and SYSAGG in syscount mode). */
  requestStats(): void {
    const stdin = this.probe?.stdin as Writable | null;
    if (stdin && stdin.writable) stdin.write(encodeCommand({ op: 'stats' }));
  }

  /**
   * Writes to the target's stdin (stdio 'pipe' only). Throws when there is no such pipe, or when the target
   * would then have more than INPUT_PENDING_MAX_BYTES sent and not read (nothing is written then).
   */
  input(data: Buffer): void {
    const stdio = this.probe?.stdio as unknown as Array<Writable | null> | undefined;
    const w = stdio?.[3];
    if (!w || !w.writable) throw new SessionError(ErrorCodes.InvalidParams, 'this session has no stdin pipe: start it with target.stdio "pipe"');
    const pending = w.writableLength;
    if (pending + data.length > INPUT_PENDING_MAX_BYTES) {
      throw new SessionError(ErrorCodes.InputNotRead, `input of ${data.length} bytes refused: the target has not read the last ${pending} bytes sent to its stdin, `
        + `and at most ${INPUT_PENDING_MAX_BYTES} may wait; send it again once the target reads its input`);
    }
    w.write(data);
  }

  /** Stops (true) or restarts reading the target's stdout/stderr: while stopped it blocks writing, as on a terminal nobody reads. */
  holdOutput(held: boolean): void {
    const stdio = this.probe?.stdio as unknown as Array<Readable | null> | undefined;
    for (const r of [stdio?.[4], stdio?.[5]]) {
      if (held) r?.pause();
      else r?.resume();
    }
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

