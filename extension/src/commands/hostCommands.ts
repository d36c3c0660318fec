import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { diskFiles, readSshConfigHosts } from '../hosts/sshConfig';
import { registerCommand, type CommandContext } from './commandContext';
import { pickRemoteHost } from './connectRemote';
import { hostOf } from './hostArgs';

/** Connect to Remote Host… (a pick of ~/.ssh/config hosts, or one typed, or a target given by a caller), Disconnect and Reconnect. */
export function registerHostCommands(ctx: CommandContext): void {
  registerCommand(ctx, 'runtimeLens.connectRemote', async (arg?: unknown) => {
    const target = typeof arg === 'string' && arg.trim() ? arg.trim() : await pickRemoteHost({
      createQuickPick: () => vscode.window.createQuickPick(),
      configHosts: async () => {
        const home = os.homedir();
        const { hosts, problems } = await readSshConfigHosts(path.join(home, '.ssh', 'config'), home, diskFiles);
        for (const p of problems) ctx.log(`~/.ssh/config: ${p}`);
        return hosts;
      },
      connected: () => new Map(ctx.hosts.hosts.map((h) => [h.target, h.state])),
    });
    if (!target) return;
    await ctx.hosts.connect(target);
  });

  registerCommand(ctx, 'runtimeLens.disconnectHost', async (arg?: unknown) => {
    const host = hostOf(arg) ?? await pickHost(ctx, 'disconnect from');
    if (host) await ctx.hosts.disconnect(host);
  });

  registerCommand(ctx, 'runtimeLens.reconnectHost', async (arg?: unknown) => {
    const host = hostOf(arg) ?? await pickHost(ctx, 'reconnect to', (h) => h.state === 'disconnected');
    if (host) await ctx.hosts.reconnect(host);
  });
}

/** A host of the Sessions view, picked when there are several. */
async function pickHost(ctx: CommandContext, what: string, filter: (h: CommandContext['hosts']['hosts'][number]) => boolean = () => true) {
  const hosts = ctx.hosts.hosts.filter(filter);
  if (hosts.length === 0) {
    void vscode.window.showInformationMessage(`Runtime Lens: there is no remote host to ${what}.`);
    return undefined;
  }
  if (hosts.length === 1) return hosts[0];
  const picked = await vscode.window.showQuickPick(hosts.map((h) => ({ label: h.target, description: h.stateLabel(), host: h })), { title: `Runtime Lens: host to ${what}` });
  return picked?.host;
}
