/*
 * One remote host of the window, as the Sessions view shows it: connecting
 * (with the agent's last progress step), connected (with what the agent
 * reported of the host), or disconnected (with why, and how many events may
 * have been missed).
 */
import { Emitter, type Event } from 'vscode-jsonrpc';
import type { HostInfo, HostStateParams } from '../../../remote-agent/src/protocol';
import type { AgentId } from '../agent/agentId';
import { missedText } from '../views/format';

export type HostState = 'connecting' | 'connected' | 'disconnected';

/** The state of the link to one host; changes are told through onDidChange. */
export class RemoteHost {
  state: HostState = 'connecting';
  /** the host as its agent last reported it (initialize, host/reconnect) */
  info: HostInfo | undefined;
  /** the last step reported while connecting */
  progress: string | undefined;
  /** why the link is down */
  reason: string | undefined;
  missed: HostStateParams['missed'];
  private readonly changeEmitter = new Emitter<RemoteHost>();
  readonly onDidChange: Event<RemoteHost> = this.changeEmitter.event;

  constructor(readonly target: string, readonly agentId: AgentId) {}

  connecting(): void {
    this.state = 'connecting';
    this.progress = undefined;
    this.changed();
  }

  /** A host/progress step; only heard while connecting. */
  progressed(message: string): void {
    if (this.state !== 'connecting') return;
    this.progress = message;
    this.changed();
  }

  connected(info: HostInfo | undefined): void {
    this.state = 'connected';
    if (info) this.info = info;
    this.progress = undefined;
    this.reason = undefined;
    this.missed = undefined;
    this.changed();
  }

  /** The link dropped (host/state) or the host's agent ended. Returns false when it was already down. */
  disconnected(reason: string | undefined, missed?: HostStateParams['missed']): boolean {
    if (this.state === 'disconnected') return false;
    this.state = 'disconnected';
    this.reason = reason;
    this.missed = missed;
    this.progress = undefined;
    this.changed();
    return true;
  }

  /** One line for the Sessions view: "connected · Debian GNU/Linux 12 · x86_64", "connecting… copying lens-probe", "disconnected: …". */
  stateLabel(): string {
    switch (this.state) {
      case 'connecting':
        return `connecting…${this.progress ? ` ${this.progress}` : ''}`;
      case 'connected':
        return this.info ? `connected · ${this.info.os} · ${this.info.arch}` : 'connected';
      case 'disconnected': {
        const missed = missedText(this.missed);
        return `disconnected${this.reason ? `: ${this.reason}` : ''}${missed ? ` · ${missed}` : ''}`;
      }
    }
  }

  private changed(): void {
    this.changeEmitter.fire(this);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
