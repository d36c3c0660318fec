import { Emitter, type Disposable, type Event } from 'vscode-jsonrpc';
import { agentLabel, type AgentId } from './agentId';
import type { AgentManager } from './agentManager';

/**
 * Every agent the extension can trace with, keyed by id: `local` from the
 * start, and one `ssh:HOST` entry per remote host connected to. Adding an
 * agent is adding one entry; sessions remember the id of the agent they run on.
 */
export class AgentRegistry implements Disposable {
  private readonly entries = new Map<AgentId, AgentManager>();
  private readonly changeEmitter = new Emitter<AgentId>();
  /** an agent was added, removed, started, stopped or replaced */
  readonly onDidChange: Event<AgentId> = this.changeEmitter.event;
  private readonly subscriptions = new Map<AgentId, Disposable>();

  /** Adds an agent; its id must not be taken. */
  add(agent: AgentManager): AgentManager {
    if (this.entries.has(agent.id)) throw new Error(`Runtime Lens: the agent ${agent.id} is already registered.`);
    this.entries.set(agent.id, agent);
    this.subscriptions.set(agent.id, agent.onDidChange(() => this.changeEmitter.fire(agent.id)));
    this.changeEmitter.fire(agent.id);
    return agent;
  }

  /** The agent registered as `id`, or undefined. */
  find(id: AgentId): AgentManager | undefined {
    return this.entries.get(id);
  }

  /** The agent registered as `id`; throws, naming the agents there are, when there is none. */
  get(id: AgentId): AgentManager {
    const agent = this.entries.get(id);
    if (!agent) throw new Error(`Runtime Lens has no ${agentLabel(id)} (${id}); the agents are: ${[...this.entries.keys()].join(', ') || 'none'}.`);
    return agent;
  }

  /** Every registered agent, in the order they were added. */
  get all(): AgentManager[] {
    return [...this.entries.values()];
  }

  /** Shuts an agent down and forgets it. */
  async remove(id: AgentId): Promise<void> {
    const agent = this.entries.get(id);
    if (!agent) return;
    this.entries.delete(id);
    this.subscriptions.get(id)?.dispose();
    this.subscriptions.delete(id);
    await agent.shutdown();
    agent.dispose();
    this.changeEmitter.fire(id);
  }

  /** Asks every agent to stop its sessions and exit. */
  async shutdown(): Promise<void> {
    await Promise.all(this.all.map((a) => a.shutdown()));
  }

  dispose(): void {
    for (const s of this.subscriptions.values()) s.dispose();
    this.subscriptions.clear();
    for (const a of this.entries.values()) a.dispose();
    this.entries.clear();
    this.changeEmitter.dispose();
  }
}
