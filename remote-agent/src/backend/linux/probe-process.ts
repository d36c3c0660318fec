/*
 * lens-probe as a child process: spawned with its argv and stdio, its
 * stdout read as packets, its stdin written with control commands, its exit
 * reported once its packet stream has ended; and, after a stop, a launched
 * target ended through /proc and signals like strace ends its tracee.
 */
import type { ResultPromise } from 'execa';
import type { Readable, Writable } from 'node:stream';
import { encodeCommand, type ProbeCommand } from '../../decode/commands';
import { ErrorCodes, INPUT_PENDING_MAX_BYTES } from '../../protocol';
import { SessionError } from '../../trace/errors';
import type { ProbeControl, ProbeListener, ProbeOptions } from '../backend';
import { CommandedProbe } from '../probe-commands';
import { probeArgs } from './probe-args';
import { probeStdio } from './probe-stdio';
import { readStat } from './procfs';

/** How long the probe's packet stream gets to end after the probe exited (a target may hold the pipe). */
const STREAM_END_GRACE_MS = 1000;

/** Starts lens-probe at `probePath`; `execPath` is the launched command already resolved. */
export async function startProbe(probePath: string, o: ProbeOptions, execPath: string | undefined, on: ProbeListener): Promise<ProbeControl> {
  const t = o.target;
  const env = { ...process.env, ...('pid' in t ? {} : t.env) };
  const cwd = 'pid' in t ? process.cwd() : (t.cwd ?? process.cwd());
  const args = probeArgs(o, execPath);
  const stdio = probeStdio(o);
  // execa is ESM-only: loaded on first use so CommonJS callers (the bundle, mocha via tsx) can import this module.
  const { execa } = await import('execa');
  const proc = execa(probePath, args, {
    cwd, env, extendEnv: false, stdio: stdio.stdio as never, buffer: false, reject: false, stripFinalNewline: false,
  });
  return new LinuxProbe(proc, stdio.close, on);
}

class LinuxProbe extends CommandedProbe implements ProbeControl {
  private exitReported = false;

  constructor(private readonly proc: ResultPromise, closeStdio: () => void, private readonly on: ProbeListener) {
    super();
    const pipes = proc.stdio as unknown as Array<Readable | Writable | null>;
    (proc.stdout as Readable).on('data', (chunk: Buffer) => on.packets(chunk));
    (proc.stderr as Readable).on('data', (chunk: Buffer) => on.diagnostics(chunk));
    if (pipes[4]) (pipes[4] as Readable).on('data', (d: Buffer) => on.targetOutput('stdout', d));
    if (pipes[5]) (pipes[5] as Readable).on('data', (d: Buffer) => on.targetOutput('stderr', d));
    (proc.stdin as Writable).on('error', () => { /* probe gone; its exit is reported */ });
    if (pipes[3]) (pipes[3] as Writable).on('error', () => { /* target closed its stdin */ });
    // Not execa's result: that also waits for every stdio pipe, which a still-running target (probe killed)
    // can hold open indefinitely. The probe closes stdout before it detaches its programs.
    void proc.catch(() => { /* reject: false; failures arrive through 'exit' */ });
    const streamEnded = new Promise<void>((resolve) => (proc.stdout as Readable).once('close', resolve));
    void streamEnded.then(() => on.packetsEnded());
    proc.once('exit', (code, signal) => {
      closeStdio();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, STREAM_END_GRACE_MS); });
      void Promise.race([streamEnded, grace]).then(() => {
        clearTimeout(timer);
        this.exited({ code: code ?? undefined, signal: signal ?? undefined });
      });
    });
    proc.once('error', (e: NodeJS.ErrnoException) => {
      // the probe could not be started at all (no 'exit' follows)
      if (e.syscall?.startsWith('spawn')) {
        closeStdio();
        this.exited({ startError: e.message });
      }
    });
  }

  private exited(info: Parameters<ProbeListener['exited']>[0]): void {
    if (this.exitReported) return;
    this.exitReported = true;
    this.on.exited(info);
  }

  get probePid(): number | undefined {
    return this.proc.pid;
  }

  private get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  protected command(cmd: ProbeCommand): void {
    const stdin = this.proc.stdin as Writable | null;
    if (!stdin || stdin.destroyed || !stdin.writable) return;
    if (cmd.op === 'stop') stdin.end(encodeCommand(cmd)); // EOF is stop too
    else stdin.write(encodeCommand(cmd));
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.proc.kill(signal);
  }

  input(data: Buffer): void {
    const w = (this.proc.stdio as unknown as Array<Writable | null>)[3];
    if (!w || !w.writable) throw new SessionError(ErrorCodes.InvalidParams, 'this session has no stdin pipe: start it with target.stdio "pipe"');
    const pending = w.writableLength;
    if (pending + data.length > INPUT_PENDING_MAX_BYTES) {
      throw new SessionError(ErrorCodes.InputNotRead, `input of ${data.length} bytes refused: the target has not read the last ${pending} bytes sent to its stdin, `
        + `and at most ${INPUT_PENDING_MAX_BYTES} may wait; send it again once the target reads its input`);
    }
    w.write(data);
  }

  holdOutput(held: boolean): void {
    const pipes = this.proc.stdio as unknown as Array<Readable | null>;
    for (const r of [pipes[4], pipes[5]]) {
      if (held) r?.pause();
      else r?.resume();
    }
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`. The probe (its parent) has not reaped it, so the pid is
   * still the target's; the start time guards the later SIGKILL.
   */
  endTarget(pid: number, graceMs: number): void {
    const stat = readStat(pid);
    if (!stat || (this.alive && stat.ppid !== this.proc.pid)) return;
    try { process.kill(pid, 'SIGTERM'); } catch { return; }
    // Not our child, so no exit event: look every few ms, and let this process exit as soon as the target has.
    const deadline = Date.now() + graceMs;
    const poll = setInterval(() => {
      const now = readStat(pid);
      if (!now || now.startNs !== stat.startNs || now.state === 'Z' || now.state === 'X') { clearInterval(poll); return; }
      if (Date.now() < deadline) return;
      clearInterval(poll);
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
    }, 20);
  }

  release(): void {
    if (!this.alive) return;
    this.proc.unref();
    for (const s of this.proc.stdio as unknown as Array<{ unref?(): void } | null>) s?.unref?.();
  }
}
