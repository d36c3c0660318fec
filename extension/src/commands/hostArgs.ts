import * as vscode from 'vscode';
import { RemoteHost } from '../hosts/remoteHost';
import { RECONNECT } from '../hosts/remoteHosts';
import type { CommandContext } from './commandContext';

/** The remote host a command was invoked on (its row in the Sessions view), if any. */
export function hostOf(arg: unknown): RemoteHost | undefined {
  if (arg instanceof RemoteHost) return arg;
  const host = (arg as { type?: unknown; host?: unknown } | undefined)?.host;
  return host instanceof RemoteHost ? host : undefined;
}

/** The host a command acts on when invoked on its row; a host that is not connected is refused with a way out. */
export function hostArg(ctx: CommandContext, arg: unknown): RemoteHost | undefined | null {
  const host = hostOf(arg);
  if (!host) return undefined;
  if (host.state === 'connected') return host;
  void vscode.window.showErrorMessage(`Runtime Lens: ${host.target} is ${host.state === 'connecting' ? 'still connecting' : 'disconnected'}; it can trace once connected.`,
    ...(host.state === 'disconnected' ? [RECONNECT] : []))
    .then((choice) => {
      if (choice === RECONNECT) void ctx.hosts.reconnect(host);
    });
  return null;
}

/** Where a command runs: this machine, or a connected remote host. */
export type Where = 'local' | RemoteHost;

/** Where to run: this machine when no remote host is connected, else the user's pick. Undefined when cancelled. */
export async function pickAgent(ctx: CommandContext, what: string): Promise<Where | undefined> {
  const connected = ctx.hosts.hosts.filter((h) => h.state === 'connected');
  if (connected.length === 0) return 'local';
  const picked = await vscode.window.showQuickPick([
    { label: 'This machine', description: 'local agent', host: 'local' as Where },
    ...connected.map((h) => ({ label: h.target, description: h.stateLabel(), host: h as Where })),
  ], { title: `Runtime Lens: where to ${what}`, placeHolder: 'This machine, or a connected remote host' });
  return picked?.host;
}
