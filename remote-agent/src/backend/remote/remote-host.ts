/*
 * A remote host as a backend: connect (ssh login or the master already
 * there), survey, refuse other architectures, deploy, find the probe's
 * privileges; then the probe, host facts, lens-symbolize and doctor all act
 * on the host. A watch session tells when the link drops (host/state); every
 * running probe's stream ends then too, so its session ends "disconnected".
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Backend } from '../backend';
import { fixesForProbe } from '../linux/probe-errors';
import { ErrorCodes, type HostInfo } from '../../protocol';
import { Fixes, SessionError } from '../../trace/errors';
import { AGENT_VERSION } from '../../version';
import { loadArtifacts, type Artifact } from './artifacts';
import { deploy, verifyScript } from './deploy';
import { hostPrivilege, privileged } from './privilege';
import { RemoteFacts } from './remote-facts';
import { remoteDoctor } from './remote-doctor';
import { startRemoteProbe, type RemoteRun } from './remote-probe';
import { sq } from './shell';
import { SshLink } from './ssh';
import { sshWords } from './ssh-errors';
import { surveyHost, type HostSurvey } from './survey';
import { parseHostTarget } from './target';

/** What a host reports besides answers: progress while connecting, and the link's state. */
export interface HostEvents {
  progress?(message: string): void;
  /** the link dropped (reason: what ssh said) */
  disconnected?(reason: string): void;
}

/** One remote host. connect() before using backend. */
export class RemoteHost {
  readonly link: SshLink;
  private artifacts: Artifact[] | undefined;
  private state: { info: HostInfo; survey: HostSurvey; run: RemoteRun; backend: Backend } | undefined;
  private watch: ChildProcessWithoutNullStreams | undefined;
  private closing = false;

  constructor(target: string, sshOptions: readonly string[], public on: HostEvents = {}) {
    this.link = new SshLink(parseHostTarget(target), sshOptions);
  }

  /** The host as found by the last connect(). */
  get info(): HostInfo | undefined {
    return this.state?.info;
  }

  /** Its backend (after connect()); throws HostDisconnected while the link is down. */
  get backend(): Backend {
    if (!this.state) throw new SessionError(ErrorCodes.HostDisconnected, `not connected to ${this.link.target.text}`, [Fixes.advice('reconnect to the host')]);
    return this.state.backend;
  }

  /**
   * Logs in, deploys and checks privileges; throws a SessionError with a host code and its fixes.
   * `watch`: keep a session that tells when the link drops (an agent's host/state; a single trace
   * needs none: its own stream tells).
   */
  async connect({ watch = true } = {}): Promise<HostInfo> {
    const t = this.link.target.text;
    const progress = (m: string) => this.on.progress?.(m);
    this.artifacts ??= loadArtifacts();
    progress(`connecting to ${t} with ssh`);
    const how = await this.link.connect();
    progress(how === 'reused' ? `reusing the ssh connection to ${t}` : `logged in to ${t}`);
    const survey = await surveyHost(this.link, AGENT_VERSION);
    if (survey.arch !== 'x86_64') {
      throw new SessionError(ErrorCodes.HostArchUnsupported, `${t} is ${survey.arch}: Runtime Lens deploys an x86_64 probe and cannot trace this host yet`, [
        Fixes.advice('trace an x86_64 host'),
      ]);
    }
    const deployed = await deploy(this.link, survey, this.artifacts, progress);
    const verify = verifyScript(survey.deployDir, this.artifacts, ['lens-remote', 'lens-probe']);
    const { privilege } = await hostPrivilege(this.link, survey, `${survey.deployDir}/lens-probe`);
    const info: HostInfo = {
      target: t, arch: survey.arch, kernel: survey.kernel, os: survey.os, deployDir: survey.deployDir, deployed, version: AGENT_VERSION, privilege,
    };
    const run: RemoteRun = { link: this.link, deployDir: survey.deployDir, verify, privileged: privileged(privilege) };
    this.state = { info, survey, run, backend: this.makeBackend(info, survey, run) };
    if (watch) this.startWatch();
    progress(`${t}: ${survey.os}, kernel ${survey.kernel}, probe ${deployed} in ${survey.deployDir}, privileges: ${privilege}`);
    return info;
  }

  /** Ends the watch; the ssh master stays (ControlPersist) for the next command. */
  detach(): void {
    this.closing = true;
    this.watch?.stdin.end();
    this.watch = undefined;
  }

  /** Ends the watch and the ssh master. */
  async close(): Promise<void> {
    this.closing = true;
    this.watch?.stdin.end();
    this.watch = undefined;
    await this.link.close();
  }

  /** A session that lives as long as the link: its end without us ending it is a dropped link. */
  private startWatch(): void {
    if (this.watch) return;
    const w = this.link.spawn('exec cat >/dev/null');
    this.watch = w;
    let said = '';
    w.stderr.on('data', (d: Buffer) => { said += d.toString(); });
    w.stdin.on('error', () => { /* ended; close says so */ });
    w.on('close', () => {
      if (this.watch !== w) return;
      this.watch = undefined;
      if (this.closing) return;
      this.state = undefined;
      const why = sshWords(said) || sshWords(this.link.masterLog().split('\n').slice(-4).join('\n')) || 'ssh ended';
      this.on.disconnected?.(`the connection to ${this.link.target.text} dropped: ${why}`);
    });
    w.unref();
    for (const s of [w.stdin, w.stdout, w.stderr] as unknown as Array<{ unref?(): void }>) s.unref?.();
  }

  private makeBackend(info: HostInfo, survey: HostSurvey, run: RemoteRun): Backend {
    const d = survey.deployDir;
    const helper = (args: string) => `${verifyScript(d, this.artifacts!, ['lens-remote'])} && exec ${run.privileged}${sq(`${d}/lens-remote`)} ${args}`;
    const facts = new RemoteFacts(this.link, helper, survey.users);
    let hookCheck: string | undefined;
    return {
      platform: 'linux',
      host: facts,
      remote: true,
      doctor: async () => {
        hookCheck ??= (await this.link.exec(`${verifyScript(d, this.artifacts!, ['lens-probe'])} && ${run.privileged}${sq(`${d}/lens-probe`)} --check-hooks 2>&1`)).stdout.toString('latin1');
        return remoteDoctor(info, survey, hookCheck);
      },
      // as the login user, never with the probe's privileges: it parses the traced programs' ELF and DWARF files
      symbolizer: () => this.link.command(`${verifyScript(d, this.artifacts!, ['lens-symbolize'])} && exec ${sq(`${d}/lens-symbolize`)}`),
      probe: {
        locate: () => ({ path: `${d}/lens-probe` }),
        privilegeProblem: () => null,
        checkTarget: () => ({}),
        start: async (_probePath, options, listener) => startRemoteProbe(run, options, listener),
        fixesForError: (code) => fixesForProbe(code, `${d}/lens-probe`).map((f) => (f.kind === 'setcap' || f.kind === 'mount' ? Fixes.hostCommand(info.target, f.command) : f)),
      },
    };
  }
}
