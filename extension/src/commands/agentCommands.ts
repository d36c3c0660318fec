import * as vscode from 'vscode';
import { LOCAL_AGENT, type AgentId } from '../agent/agentId';
import { registerCommand, showError, type CommandContext } from './commandContext';

/** The agent a command names (an id passed by a notification's action), else the local one. */
function agentArg(ctx: CommandContext, arg: unknown): AgentId {
  return typeof arg === 'string' && ctx.agents.find(arg as AgentId) ? arg as AgentId : LOCAL_AGENT;
}

/** Restart Agent, Grant Capabilities, Show Log; and restarting the local agent when its settings change. */
export function registerAgentCommands(ctx: CommandContext): void {
  registerCommand(ctx, 'runtimeLens.restartAgent', async (arg?: unknown) => {
    const agent = ctx.agents.get(agentArg(ctx, arg));
    try {
      const client = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Runtime Lens: restarting the ${agent.label}` }, () => agent.restart());
      void vscode.window.showInformationMessage(`Runtime Lens: ${agent.label} ${client.initializeResult?.agentVersion ?? ''} restarted.`);
    } catch (err) {
      showError(err);
    }
  });

  registerCommand(ctx, 'runtimeLens.grantCapabilities', async (arg?: unknown) => {
    try {
      await ctx.privileges.offer(ctx.agents.get(agentArg(ctx, arg)));
    } catch (err) {
      showError(err);
    }
  });

  registerCommand(ctx, 'runtimeLens.showLog', () => ctx.output.show());

  ctx.store.add(vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('runtimeLens')) return;
    const s = ctx.settings();
    const local = ctx.agents.get(LOCAL_AGENT);
    if (!(e.affectsConfiguration('runtimeLens.runWithSudo') || e.affectsConfiguration('runtimeLens.agentPath')) || !local.current) return;
    if (ctx.sessions.liveSessions().some((session) => session.agentId === LOCAL_AGENT)) {
      void vscode.window.showInformationMessage('Runtime Lens: the agent settings changed; they apply when the agent restarts.', 'Restart Agent')
        .then((c) => c && vscode.commands.executeCommand('runtimeLens.restartAgent', LOCAL_AGENT));
      return;
    }
    void local.restart().then(
      () => ctx.log(`agent restarted after a settings change (runWithSudo=${s.runWithSudo})`),
      (err: Error) => showError(err),
    );
  }));
}
