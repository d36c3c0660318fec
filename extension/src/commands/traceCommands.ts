import * as os from 'node:os';
import * as vscode from 'vscode';
import { LOCAL_AGENT } from '../agent/agentId';
import type { Session } from '../session/session';
import type { SessionTarget } from '../session/sessionFile';
import { SessionTerminal } from '../session/sessionTerminal';
import { AttachProcessPicker } from './attachProcess';
import { registerCommand, showError, type CommandContext } from './commandContext';
import { TraceCommandPrompt } from './traceCommand';

/** Starts a session on the local agent; a refusal for lack of privileges offers the fixes. */
async function startSession(ctx: CommandContext, target: SessionTarget, title: string, onCreated?: (s: Session) => void): Promise<Session> {
  const agent = ctx.agents.get(LOCAL_AGENT);
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

/** "Trace Command…" (a prompt, or an argv given by a caller) and "Attach to Process…" (a pick, or a pid). */
export function registerTraceCommands(ctx: CommandContext): void {
  const terminals = ctx.store;
  const launch = async (argv: string[], cwd: string, title: string) => {
    await startSession(ctx, { kind: 'launch', command: argv, cwd }, title, (s) => {
      const pty = new SessionTerminal(s, ctx.sessions, (m) => void vscode.window.showErrorMessage(m));
      const terminal = terminals.add(vscode.window.createTerminal({ name: `Runtime Lens: ${s.title}`, pty, iconPath: new vscode.ThemeIcon('pulse') }));
      terminals.add(pty);
      terminal.show(true);
    });
  };

  const tracePrompt = new TraceCommandPrompt({
    ui: {
      createInputBox: () => vscode.window.createInputBox(),
      showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
      showErrorMessage: (m) => vscode.window.showErrorMessage(m),
    },
    history: ctx.extension.globalState,
    workspaceFolder: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    homeDirectory: os.homedir(),
    historyButton: { iconPath: new vscode.ThemeIcon('history'), tooltip: 'Previous commands' },
    run: launch,
  });
  registerCommand(ctx, 'runtimeLens.traceCommand', async (arg?: unknown) => {
    if (Array.isArray(arg) && arg.length > 0 && arg.every((a) => typeof a === 'string')) {
      // programmatic use: an argv, run in the workspace folder
      try {
        await launch(arg as string[], tracePrompt.cwd(), (arg as string[]).join(' '));
      } catch (err) {
        showError(err);
      }
      return;
    }
    await tracePrompt.prompt(typeof arg === 'string' ? arg : undefined);
  });

  const attachPicker = new AttachProcessPicker({
    ui: {
      showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
      showErrorMessage: (m, ...items) => vscode.window.showErrorMessage(m, ...items),
    },
    listProcesses: async () => (await ctx.agents.get(LOCAL_AGENT).get()).listProcesses(),
    hiddenPids: () => [process.pid],
    run: async (pid, comm, cmdline) => {
      await startSession(ctx, { kind: 'attach', pid, comm, cmdline }, `${comm} (pid ${pid})`);
    },
  });
  registerCommand(ctx, 'runtimeLens.attachProcess', async (arg?: unknown) => {
    if (typeof arg === 'number' || (typeof arg === 'string' && /^\d+$/.test(arg))) await attachPicker.attach(Number(arg));
    else await attachPicker.pick();
  });
}
