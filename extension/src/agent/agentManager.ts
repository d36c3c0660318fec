import { Emitter, type Disposable, type Event } from 'vscode-jsonrpc';
import type { InitializeResult } from '../../../remote-agent/src/protocol';
import { AgentClient } from './agentClient';
import type { AgentCommand } from './agentCommand';
import { agentLabel, type AgentId } from './agentId';
import { describeAgentExit, type AgentExit, type AgentTransport } from './agentProcess';

/** The slice of the vscode API the agent manager needs. */
export interface AgentManagerUi {
  showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined>;
}

export interface AgentManagerOptions {
  /** the registry entry: `local` or `ssh:HOST` */
  id: AgentId;
  ui: AgentManagerUi;
  /** where the agent is and how to start it (re-read at every start, so settings apply) */
  resolveCommand: () => AgentCommand;
  spawn: (cmd: AgentCommand) => AgentTransport;
  clientName: string;
  clientVersion: string;
  log: (line: string) => void;
  /** called with every new client, before it is used (binds sessions to it) */
  onClient: (client: AgentClient) => Disposable;
  /** called when initialize reports that the probe cannot run */
  onProblem: (problem: NonNullable<InitializeResult['capabilities']['problem']>, cmd: AgentCommand) => void;
  /** the "Restart Agent" action after a crash */
  restart: () => void;
}

export const RESTART_AGENT = 'Restart Agent';

/**
 * One agent of the registry: starts it on first use, shares it, tells the user
 * when it dies (with a Restart Agent action), and shuts it down on dispose.
 */
export class AgentManager implements Disposable {
  private client: AgentClient | undefined;
  private starting: Promise<AgentClient> | undefined;
  private binding: Disposable | undefined;
  private command: AgentCommand | undefined;
  private readonly changeEmitter = new Emitter<AgentClient | undefined>();
  private disposed = false;
  /** the agent started, stopped or was replaced */
  readonly onDidChange: Event<AgentClient | undefined> = this.changeEmitter.event;

  constructor(private readonly options: AgentManagerOptions) {}

  get id(): AgentId {
    return this.options.id;
  }

  /** How views name this agent ("local agent", "HOST (SSH)"). */
  get label(): string {
    return agentLabel(this.options.id);
  }

  /** The running agent, or undefined. */
  get current(): AgentClient | undefined {
    return this.client && !this.client.gone ? this.client : undefined;
  }

  /** The running agent, started and initialized if needed. */
  get(): Promise<AgentClient> {
    if (this.disposed) return Promise.reject(new Error('Runtime Lens is shutting down.'));
    const current = this.current;
    if (current) return Promise.resolve(current);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Stops the current agent (if any) and starts a new one. */
  async restart(): Promise<AgentClient> {
    await this.stopCurrent();
    return this.get();
  }

  private async start(): Promise<AgentClient> {
    const cmd = this.options.resolveCommand();
    this.command = cmd;
    this.options.log(`starting ${this.label}: ${cmd.command} ${cmd.args.join(' ')}`);
    const transport = this.options.spawn(cmd);
    const client = new AgentClient(this.options.id, transport, this.options.log);
    this.binding = this.options.onClient(client);
    this.client = client;
    client.onDidExit((exit) => this.exited(client, exit));
    let init: InitializeResult;
    try {
      init = await client.initialize(this.options.clientName, this.options.clientVersion);
    } catch (err) {
      client.kill();
      throw new Error(`Runtime Lens could not start its ${this.label}: ${(err as Error).message}`, { cause: err });
    }
    const caps = init.capabilities;
    this.options.log(`${this.label} ${init.agentVersion} ready: ${caps.platform}/${caps.arch} kernel ${caps.kernel}, events ${caps.events.join(',')}${caps.problem ? `, problem: ${caps.problem.message}` : ''}`);
    if (caps.problem) this.options.onProblem(caps.problem, cmd);
    this.changeEmitter.fire(client);
    return client;
  }

  /** The command the current agent was started with. */
  get agentCommand(): AgentCommand | undefined {
    return this.command;
  }

  private exited(client: AgentClient, exit: AgentExit): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.binding?.dispose();
    this.binding = undefined;
    this.changeEmitter.fire(undefined);
    // an agent that died before initialize answered failed its start: that error reaches whoever asked for it
    if (this.disposed || !client.initializeResult) return;
    void this.options.ui.showErrorMessage(`${describeAgentExit(exit)}. Running sessions were marked failed.`, RESTART_AGENT)
      .then((choice) => {
        if (choice === RESTART_AGENT) this.options.restart();
      });
  }

  private async stopCurrent(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    // the sessions still hear the exit (and fail) through the binding
    await client.shutdown();
    this.binding?.dispose();
    this.binding = undefined;
    this.changeEmitter.fire(undefined);
  }

  async shutdown(): Promise<void> {
    this.disposed = true;
    await this.stopCurrent();
  }

  dispose(): void {
    this.disposed = true;
    void this.stopCurrent();
    this.changeEmitter.dispose();
  }
}
