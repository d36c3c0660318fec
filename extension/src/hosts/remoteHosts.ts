/*
 * The remote hosts of the window. Connecting to a host adds an `ssh:HOST`
 * agent to the registry (a local `runtime-lens agent --stdio --host HOST`,
 * which runs ssh, deploys and drives the probe there) and follows its link:
 * progress while connecting, a dropped link that ends the host's sessions as
 * disconnected (their events kept) with an offer to reconnect, and Disconnect.
 */
import { Emitter, ResponseError, type Disposable, type Event } from 'vscode-jsonrpc';
import { ErrorCodes, type ErrorData, type HostStateParams, type Problem } from '../../../remote-agent/src/protocol';
import type { AgentClient } from '../agent/agentClient';
import { sshAgentId } from '../agent/agentId';
import type { AgentManager } from '../agent/agentManager';
import type { AgentRegistry } from '../agent/agentRegistry';
import { describeAgentExit } from '../agent/agentProcess';
import type { SessionManager } from '../session/sessionManager';
import type { Session } from '../session/session';
import { disconnectedMessage, missedText } from '../views/format';
import { RemoteHost } from './remoteHost';

/** The slice of the vscode API the hosts need. */
export interface RemoteHostsUi {
  showWarningMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  /** runs `task` under a progress notification titled `title`; `report` shows its current step */
  withProgress<T>(title: string, task: (report: (message: string) => void) => Promise<T>): Thenable<T>;
  /** a modal question; resolves true when the user chose `action` */
  confirm(message: string, action: string): Thenable<boolean>;
}

export interface RemoteHostsOptions {
  agents: AgentRegistry;
  sessions: SessionManager;
  /** makes the registry entry of a host's agent; `bind` is called with each new client of it, before initialize */
  createAgent(target: string, bind: (client: AgentClient) => Disposable): AgentManager;
  ui: RemoteHostsUi;
  /** shows a refusal with the agent's structured fixes (the privilege advisor) */
  offerFixes(problem: Problem, headline: string): Promise<void>;
  log: (line: string) => void;
}

export const RECONNECT = 'Reconnect';

/** The agent's error as a Problem: its code, message and fixes (a wrapped error's cause is looked at). */
export function problemOf(err: unknown): Problem {
  const cause = (err as { cause?: unknown } | undefined)?.cause ?? err;
  if (cause instanceof ResponseError) {
    const fixes = (cause.data as Partial<ErrorData> | undefined)?.fixes;
    return { code: cause.code, message: cause.message, fixes: Array.isArray(fixes) ? fixes : [] };
  }
  return { code: ErrorCodes.InternalError, message: (err as Error)?.message ?? String(err), fixes: [] };
}

/** Why it exists: one place that knows which hosts are connected and keeps their state and sessions in step with their agents. */
export class RemoteHosts implements Disposable {
  private readonly list: RemoteHost[] = [];
  /** sessions whose disconnection was already told to the user */
  private readonly told = new WeakSet<Session>();
  private readonly changeEmitter = new Emitter<void>();
  /** a host was added or removed, or its state changed */
  readonly onDidChange: Event<void> = this.changeEmitter.event;

  constructor(private readonly options: RemoteHostsOptions) {}

  get hosts(): readonly RemoteHost[] {
    return this.list;
  }

  /** The host of `target` ([user@]host[:port] as connected to). */
  find(target: string): RemoteHost | undefined {
    return this.list.find((h) => h.target === target);
  }

  /**
   * Connects to `target`: a new host's agent is started (progress shown), a
   * disconnected one reconnects, a connected one is returned as is. Resolves
   * undefined when it failed; the failure was shown with its fixes.
   */
  async connect(target: string): Promise<RemoteHost | undefined> {
    const known = this.find(target);
    if (known) return known.state === 'disconnected' ? this.reconnect(known) : known;
    const host = new RemoteHost(target, sshAgentId(target));
    const agent = this.options.createAgent(target, (client) => this.bind(host, client));
    this.list.push(host);
    host.onDidChange(() => this.changeEmitter.fire());
    this.options.agents.add(agent);
    this.changeEmitter.fire();
    try {
      const client = await this.withProgress(host, `Runtime Lens: connecting to ${target}`, () => agent.get());
      host.connected(client.initializeResult?.host);
      this.options.log(`connected to ${target}: ${host.stateLabel()}`);
      return host;
    } catch (err) {
      await this.forget(host);
      const problem = problemOf(err);
      this.options.log(`connecting to ${target} failed: ${problem.message}`);
      void this.options.offerFixes(problem, `Runtime Lens could not connect to ${target}`);
      return undefined;
    }
  }

  /** Re-establishes a dropped link (host/reconnect), or starts the host's agent again when it has ended. */
  async reconnect(host: RemoteHost): Promise<RemoteHost | undefined> {
    const agent = this.options.agents.find(host.agentId);
    if (!agent || host.state === 'connecting') return host;
    host.connecting();
    try {
      const current = agent.current;
      const info = await this.withProgress(host, `Runtime Lens: reconnecting to ${host.target}`,
        async () => current ? current.reconnect() : (await agent.get()).initializeResult?.host);
      host.connected(info);
      return host;
    } catch (err) {
      const problem = problemOf(err);
      host.disconnected(problem.message);
      void this.options.offerFixes(problem, `Runtime Lens could not reconnect to ${host.target}`);
      return undefined;
    }
  }

  /** Stops the host's live sessions (after asking), ends its agent and removes it from the list. Resolves false when the user declined. */
  async disconnect(host: RemoteHost): Promise<boolean> {
    const live = this.options.sessions.liveSessions().filter((s) => s.agentId === host.agentId);
    if (live.length > 0) {
      const ok = await this.options.ui.confirm(`${live.length} session${live.length === 1 ? ' is' : 's are'} tracing on ${host.target}. Stop ${live.length === 1 ? 'it' : 'them'} and disconnect?`, 'Stop and Disconnect');
      if (!ok) return false;
      await Promise.all(live.map((s) => this.options.sessions.stop(s).catch((err: Error) => this.options.log(`stopping ${s.title} on ${host.target}: ${err.message}`))));
    }
    await this.forget(host);
    this.options.log(`disconnected from ${host.target}`);
    return true;
  }

  private async forget(host: RemoteHost): Promise<void> {
    const i = this.list.indexOf(host);
    if (i >= 0) this.list.splice(i, 1);
    await this.options.agents.remove(host.agentId);
    host.dispose();
    this.changeEmitter.fire();
  }

  /** Shows a progress notification with the agent's host/progress steps while `task` runs. */
  private withProgress<T>(host: RemoteHost, title: string, task: () => Promise<T>): Promise<T> {
    return Promise.resolve(this.options.ui.withProgress(title, async (report) => {
      const sub = host.onDidChange((h) => {
        if (h.progress) report(h.progress);
      });
      try {
        return await task();
      } finally {
        sub.dispose();
      }
    }));
  }

  /** Follows one client of the host's agent: its progress steps, its link state, and its end. */
  private bind(host: RemoteHost, client: AgentClient): Disposable {
    const subs = [
      client.onHostProgress((p) => host.progressed(p.message)),
      client.onHostState((p) => this.linkChanged(host, client, p)),
      client.onDidExit((exit) => {
        if (this.list.includes(host)) host.disconnected(describeAgentExit(exit));
      }),
    ];
    return { dispose: () => subs.forEach((s) => s.dispose()) };
  }

  private linkChanged(host: RemoteHost, client: AgentClient, p: HostStateParams): void {
    if (p.state === 'connected') {
      host.connected(client.initializeResult?.host);
      return;
    }
    if (!host.disconnected(p.reason, p.missed)) return;
    const why = p.reason ? `: ${p.reason}` : '';
    const missed = missedText(p.missed);
    // the agent ends them itself (session/state); any it did not are ended here
    this.options.sessions.disconnect(host.agentId, disconnectedMessage(host.target, p.reason, p.missed));
    const ended = this.options.sessions.sessions.filter((s) => s.agentId === host.agentId && s.state === 'disconnected' && !this.told.has(s));
    for (const s of ended) this.told.add(s);
    const sessions = ended.length ? ` ${ended.length} session${ended.length === 1 ? '' : 's'} ended; the events received are kept${missed ? `, ${missed}` : ''}.` : '';
    this.options.log(`link to ${host.target} dropped${why}${missed ? ` (${missed})` : ''}`);
    void this.options.ui.showWarningMessage(`Runtime Lens lost the connection to ${host.target}${why}.${sessions}`, RECONNECT).then((choice) => {
      if (choice === RECONNECT && this.list.includes(host)) void this.reconnect(host);
    });
  }

  dispose(): void {
    for (const h of this.list) h.dispose();
    this.list.length = 0;
    this.changeEmitter.dispose();
  }
}
