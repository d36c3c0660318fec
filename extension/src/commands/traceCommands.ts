import * as os from 'node:os';
import * as vscode from 'vscode';
import { LOCAL_AGENT, type AgentId } from '../agent/agentId';
import type { Session } from '../session/session';
import type { SessionTarget } from '../session/sessionFile';
import { SessionTerminal } from '../session/sessionTerminal';
import { AttachProcessPicker } from './attachProcess';
import { registerCommand, showError, type CommandContext } from './commandContext';
import { hostArg, pickAgent } from './hostArgs';
import { TraceCommandPrompt } from './traceCommand';

/** Starts a session on an agent; a refusal for lack of privileges offers the fixes. */
async function startSession(ctx: CommandContext, agentId: AgentId, target: SessionTarget, title: string, onCreated?: (s: Session) => void): Promise<Session> {
  const agent = ctx.agents.get(agentId);
  const client = await agent.get();
  try {
    const session = await ctx.sessions.start(client, target, title, onCreated);
    if (ctx.settings().openEventsOnStart) ctx.panels.open('events');
    ctx.log(`session ${session.id} started on ${session.agentId}: ${session.title}${session.file ? ` -> ${session.file}` : ''}`);
    return session;
  } catch (err) {
    ctx.privileges.refused(agent, err);
    throw err;
  }
}

/**
 * "Trace Command…" (a prompt, or an argv given by a caller) and "Attach to
 * Process…" (a pick, or a pid), on this machine or on a connected remote host
 * (the host's row in the Sessions view, or a pick when hosts are connected).
 */
export function registerTraceCommands(ctx: CommandContext): void {
  const terminals = ctx.store;
  const launch = (agentId: AgentId) => async (argv: string[], cwd: string | undefined, title: string) => {
    await startSession(ctx, agentId, { kind: 'launch', command: argv, ...(cwd !== undefined ? { cwd } : {}) }, title, (s) => {
      const pty = new SessionTerminal(s, ctx.sessions, (m) => void vscode.window.showErrorMessage(m));
      const terminal = terminals.add(vscode.window.createTerminal({ name: `Runtime Lens: ${s.title}`, pty, iconPath: new vscode.ThemeIcon('pulse') }));
      terminals.add(pty);
      terminal.show(true);
    });
  };

  const tracePrompt = (agentId: AgentId, host: string | undefined) => new TraceCommandPrompt({
    ui: {
      createInputBox: () => vscode.window.createInputBox(),
      showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
      showErrorMessage: (m) => vscode.window.showErrorMessage(m),
    },
    history: ctx.extension.globalState,
    workspaceFolder: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    homeDirectory: os.homedir(),
    historyButton: { iconPath: new vscode.ThemeIcon('history'), tooltip: 'Previous commands' },
    run: launch(agentId),
    ...(host ? { host } : {}),
  });
  const localPrompt = tracePrompt(LOCAL_AGENT, undefined);

  registerCommand(ctx, 'runtimeLens.traceCommand', async (arg?: unknown) => {
    if (Array.isArray(arg) && arg.length > 0 && arg.every((a) => typeof a === 'string')) {
      // programmatic use: an argv, run in the workspace folder
      try {
        await launch(LOCAL_AGENT)(arg as string[], localPrompt.cwd(), (arg as string[]).join(' '));
      } catch (err) {
        showError(err);
      }
      return;
    }
    const given = hostArg(ctx, arg);
    if (given === null) return;
    const host = given ?? await pickAgent(ctx, 'trace a command on');
    if (host === undefined) return;
    const prompt = host === 'local' ? localPrompt : tracePrompt(host.agentId, host.target);
    await prompt.prompt(typeof arg === 'string' ? arg : undefined);
  });

  const attachPicker = (agentId: AgentId) => new AttachProcessPicker({
    ui: {
      showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
      showErrorMessage: (m, ...items) => vscode.window.showErrorMessage(m, ...items),
    },
    listProcesses: async () => (await ctx.agents.get(agentId).get()).listProcesses(),
    // the extension host is not a process to offer on this machine; a remote host's list is all its own
    hiddenPids: () => agentId === LOCAL_AGENT ? [process.pid] : [],
    run: async (pid, comm, cmdline) => {
      await startSession(ctx, agentId, { kind: 'attach', pid, comm, cmdline }, `${comm} (pid ${pid})`);
    },
  });
  registerCommand(ctx, 'runtimeLens.attachProcess', async (arg?: unknown) => {
    if (typeof arg === 'number' || (typeof arg === 'string' && /^\d+$/.test(arg))) {
      await attachPicker(LOCAL_AGENT).attach(Number(arg));
      return;
    }
    const given = hostArg(ctx, arg);
    if (given === null) return;
    const host = given ?? await pickAgent(ctx, 'attach to a process on');
    if (host === undefined) return;
    await attachPicker(host === 'local' ? LOCAL_AGENT : host.agentId).pick();
  });
}
