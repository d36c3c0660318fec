/*
 * lens-probe on a remote host: started through ssh under `lens-remote mux`
 * (after the deployed files passed their checksum), with the probe's
 * privileges (root, sudo -n or its file capabilities). Its packets,
 * diagnostics and the launched target's output come back as mux frames; control
 * commands and the target's stdin go out the same way, with an ALIVE frame every
 * few seconds (without them the mux stops the probe). A stream that ends
 * without the mux's last frame means the link dropped: the session ends
 * "disconnected" with what ssh said.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeSync } from 'node:fs';
import { encodeCommand, type ProbeCommand } from '../../decode/commands';
import { ErrorCodes, INPUT_PENDING_MAX_BYTES } from '../../protocol';
import { SessionError } from '../../trace/errors';
import { signalName } from '../../syscalls/errno';
import type { ProbeControl, ProbeListener, ProbeOptions } from '../backend';
import { CommandedProbe } from '../probe-commands';
import { probeArgs } from '../linux/probe-args';
import { VERIFY_FAILED_STATUS } from './deploy';
import { ALIVE_EVERY_MS, Channel, encodeFrame, FrameSplitter, MUX_ALIVE_S } from './mux-stream';
import { sq } from './shell';
import type { SshLink } from './ssh';
import { sshWords } from './ssh-errors';

/** What the remote probe is run with: where it is deployed and how it is made privileged. */
export interface RemoteRun {
  link: SshLink;
  deployDir: string;
  /** sh that fails unless the deployed files are the agent's */
  verify: string;
  /** 'sudo -n ' or '' */
  privileged: string;
}

/** The sh line that runs the probe under the multiplexer. */
export function probeScript(run: RemoteRun, o: ProbeOptions): string {
  const t = o.target;
  const env = 'pid' in t ? [] : Object.entries(t.env ?? {}).map(([k, v]) => sq(`${k}=${v}`));
  const cd = 'pid' in t || !t.cwd ? '' : `cd -- ${sq(t.cwd)} && `;
  const args = probeArgs(o, undefined).map(sq).join(' ');
  const d = run.deployDir;
  return `${cd}${run.verify} && exec ${run.privileged}${env.length ? `env ${env.join(' ')} ` : ''}${sq(`${d}/lens-remote`)} mux --alive ${MUX_ALIVE_S} -- ${sq(`${d}/lens-probe`)} ${args}`;
}

/** Starts the remote probe; what it writes goes to `on`. */
export function startRemoteProbe(run: RemoteRun, o: ProbeOptions, on: ProbeListener): ProbeControl {
  return new RemoteProbe(run, run.link.spawn(probeScript(run, o)), o, on);
}

class RemoteProbe extends CommandedProbe implements ProbeControl {
  probePid: number | undefined;
  private exit: { code?: number; signal?: string } | undefined;
  private stderr = '';
  private ended = false;
  private readonly mode: 'inherit' | 'pipe' | 'null' | 'attach';
  private readonly alive: NodeJS.Timeout;

  constructor(private readonly run: RemoteRun, private readonly ssh: ChildProcessWithoutNullStreams, o: ProbeOptions, private readonly on: ProbeListener) {
    super();
    this.mode = 'pid' in o.target ? 'attach' : o.target.stdio ?? 'inherit';
    const out = o.inheritFds ?? [0, 1, 2];
    const splitter = new FrameSplitter((ch, payload) => {
      switch (ch) {
        case Channel.PACKETS: if (payload.length) on.packets(payload); else on.packetsEnded(); break;
        case Channel.DIAG: if (payload.length) on.diagnostics(payload); break;
        case Channel.TARGET_OUT: case Channel.TARGET_ERR: {
          if (!payload.length) break;
          const stream = ch === Channel.TARGET_OUT ? 'stdout' : 'stderr';
          if (this.mode === 'pipe') on.targetOutput(stream, payload);
          else if (this.mode === 'inherit') writeAll(out[stream === 'stdout' ? 1 : 2], payload);
          break;
        }
        case Channel.STARTED: this.probePid = payload.readInt32LE(0); break;
        case Channel.EXIT: this.exit = payload[0] === 1 ? { signal: signalName(payload.readInt32LE(1)) } : { code: payload.readInt32LE(1) }; break;
      }
    });
    ssh.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
    ssh.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
    ssh.stdin.on('error', () => { /* ssh gone; its close says why */ });
    // the target's stdin: a pipe only when asked for (the CLI's target reads an empty stdin on the host)
    if (this.mode !== 'pipe' && this.mode !== 'attach') ssh.stdin.write(encodeFrame(Channel.TARGET_IN));
    this.alive = setInterval(() => this.send(Channel.ALIVE), ALIVE_EVERY_MS).unref();
    ssh.on('error', (e) => this.finish({ startError: `ssh could not run: ${e.message}` }));
    ssh.on('close', (code) => this.closed(code ?? 255));
  }

  private closed(code: number): void {
    if (this.exit) return this.finish(this.exit);
    const said = sshWords(this.stderr);
    if (this.probePid === undefined) {
      const why = code === VERIFY_FAILED_STATUS ? said : code === 255 ? `the link to ${this.run.link.target.text} failed: ${said || sshWords(this.run.link.masterLog())}` : `${said || `exit status ${code}`}`;
      return this.finish({ startError: why });
    }
    this.on.packetsEnded();
    const master = sshWords(this.run.link.masterLog().split('\n').slice(-4).join('\n'));
    this.finish({ disconnected: `the connection to ${this.run.link.target.text} dropped${said || master ? `: ${said || master}` : ''}` });
  }

  private finish(info: Parameters<ProbeListener['exited']>[0]): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.alive);
    this.on.exited(info);
  }

  private send(channel: number, payload?: Buffer): void {
    if (this.ended || !this.ssh.stdin.writable) return;
    this.ssh.stdin.write(encodeFrame(channel, payload));
  }

  protected command(cmd: ProbeCommand): void {
    this.send(Channel.PROBE_IN, Buffer.from(encodeCommand(cmd)));
    if (cmd.op === 'stop') this.send(Channel.PROBE_IN); // EOF is stop too
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    const pid = this.probePid;
    if (pid !== undefined) void this.run.link.exec(`${this.run.privileged}kill -s ${signal.replace(/^SIG/, '')} ${pid}`).catch(() => { /* link gone */ });
    this.ssh.kill(signal);
  }

  input(data: Buffer): void {
    if (this.mode !== 'pipe') throw new SessionError(ErrorCodes.InvalidParams, 'this session has no stdin pipe: start it with target.stdio "pipe"');
    const pending = this.ssh.stdin.writableLength;
    if (pending + data.length > INPUT_PENDING_MAX_BYTES) {
      throw new SessionError(ErrorCodes.InputNotRead, `input of ${data.length} bytes refused: ${pending} bytes sent before have not left for the host yet, `
        + `and at most ${INPUT_PENDING_MAX_BYTES} may wait; send it again later`);
    }
    this.send(Channel.TARGET_IN, data);
  }

  holdOutput(): void {
    // one stream carries packets and output: holding it would hold the events too (ssh's window bounds it)
  }

  endTarget(): void {
    // lens-remote ends what is left of a launched target once the probe has exited (mux.c)
  }

  release(): void {
    this.ssh.unref();
    for (const s of [this.ssh.stdin, this.ssh.stdout, this.ssh.stderr] as unknown as Array<{ unref?(): void }>) s.unref?.();
  }
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) {
    try { off += writeSync(fd, data, off); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      return;
    }
  }
}
