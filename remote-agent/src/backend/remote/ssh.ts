/*
 * The system `ssh`, so the user's ~/.ssh/config, keys, agent and jump hosts
 * apply. One ControlMaster per target (a socket in controlDir()) carries every
 * command after the first login. BatchMode: ssh never asks for a password or
 * a host key; host keys are checked as the user's config says
 * (StrictHostKeyChecking is never set here). Nothing listens anywhere: the
 * master is a client connection.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { controlDir, controlName } from './control-dir';
import { sshFailure } from './ssh-errors';
import { shScript } from './shell';
import type { HostTarget } from './target';

/** How long a master stays after its last command (s). */
const CONTROL_PERSIST_S = 600;
/** Keep-alives: a dropped link is noticed after about interval × count seconds (options given by the user win). */
const ALIVE_INTERVAL_S = 5;
const ALIVE_COUNT = 3;

/** What a finished remote command gave. */
export interface ExecResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** ssh to one target with the user's extra `-o` options. */
export class SshLink {
  private readonly socket: string;
  private readonly log: string;

  constructor(readonly target: HostTarget, private readonly options: readonly string[] = [], dir = controlDir()) {
    const name = controlName([target.user ?? '', target.host, String(target.port ?? ''), ...options]);
    this.socket = path.join(dir, name);
    this.log = path.join(dir, `${name}.log`);
  }

  /** ssh's argv up to the remote command. First value wins in ssh: ours that must hold, then the user's, then our defaults. */
  args(master: 'yes' | 'no'): string[] {
    const t = this.target;
    return [
      '-o', 'BatchMode=yes', '-o', `ControlPath=${this.socket}`, '-o', `ControlMaster=${master}`,
      ...(master === 'yes' ? ['-o', `ControlPersist=${CONTROL_PERSIST_S}`] : []),
      ...this.options.flatMap((o) => ['-o', o]),
      '-o', `ServerAliveInterval=${ALIVE_INTERVAL_S}`, '-o', `ServerAliveCountMax=${ALIVE_COUNT}`,
      ...(t.port ? ['-p', String(t.port)] : []), ...(t.user ? ['-l', t.user] : []), t.host,
    ];
  }

  /** Logs in once (or finds the master already logged in); throws a SessionError saying why not. */
  async connect(): Promise<'reused' | 'new'> {
    if ((await run('ssh', ['-O', 'check', ...this.args('no')])).code === 0) return 'reused';
    // -f: the master goes to the background once logged in; its stderr (a file: a pipe would be held open by it) says why it failed
    const fd = openSync(this.log, 'w', 0o600);
    let code: number;
    try {
      code = await new Promise<number>((resolve) => {
        const p = spawn('ssh', ['-f', '-N', ...this.args('yes')], { stdio: ['ignore', 'ignore', fd] });
        p.on('error', () => resolve(-1));
        p.on('exit', (c) => resolve(c ?? 255));
      });
    } finally {
      closeSync(fd);
    }
    if (code === -1) throw new Error('ssh was not found: install OpenSSH\'s client (the `ssh` command)');
    if (code !== 0) throw sshFailure(this.target, readFileSync(this.log, 'utf8'));
    return 'new';
  }

  /** What the master said lately (why it ended, when it did). */
  masterLog(): string {
    try { return readFileSync(this.log, 'utf8'); } catch { return ''; }
  }

  /** Runs an sh script on the host; `input` goes to its stdin. An ssh failure (255) throws. */
  async exec(script: string, input?: Buffer): Promise<ExecResult> {
    const r = await run('ssh', [...this.args('no'), shScript(script)], input);
    if (r.code === 255) throw sshFailure(this.target, r.stderr);
    return r;
  }

  /** Starts an sh script on the host with its stdio as pipes (a long-running stream). */
  spawn(script: string): ChildProcessWithoutNullStreams {
    return spawn('ssh', [...this.args('no'), shScript(script)], { stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** The argv that runs `script` on the host (for helpers spawned by others, e.g. lens-symbolize). */
  command(script: string): { binary: string; args: string[] } {
    return { binary: 'ssh', args: [...this.args('no'), shScript(script)] };
  }

  /** Ends the master (its connection); nothing else of ours stays. */
  async close(): Promise<void> {
    await run('ssh', ['-O', 'exit', ...this.args('no')]);
  }
}

function run(cmd: string, args: string[], input?: Buffer): Promise<ExecResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.stdin.on('error', () => { /* ssh ended first; its exit says why */ });
    p.on('error', (e) => resolve({ code: -1, stdout: Buffer.alloc(0), stderr: e.message }));
    p.on('close', (code) => resolve({ code: code ?? 255, stdout: Buffer.concat(out), stderr: err }));
    p.stdin.end(input);
  });
}
