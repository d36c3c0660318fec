/*
 * Runtime Lens extension entry point: wires the agent, sessions, commands,
 * trees, status bar and webviews together. Every piece is created here with
 * what it talks to and registered in context.subscriptions.
 */
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ViewName } from '../../webview/src/messages';
import { ErrorCodes } from '../../remote-agent/src/protocol';
import { isAgentError, type AgentClient } from './agent/agentClient';
import { resolveAgentCommand, type AgentCommand } from './agent/agentCommand';
import { LOCAL_AGENT } from './agent/agentId';
import { AgentManager } from './agent/agentManager';
import { AgentRegistry } from './agent/agentRegistry';
import { spawnAgent } from './agent/agentProcess';
import { PrivilegeAdvisor } from './agent/privileges';
import { AttachProcessPicker } from './commands/attachProcess';
import { findExecutable } from './commands/commandLine';
import { checkSessionFile, pickSessionFile } from './commands/openSessionFile';
import { TraceCommandPrompt } from './commands/traceCommand';
import { exportSession, type ExportFormat } from './session/exportSession';
import { Session } from './session/session';
import { SESSION_FILE_SUFFIX } from './session/sessionFile';
import { SessionManager } from './session/sessionManager';
import { SessionTerminal } from './session/sessionTerminal';
import { readSettings, type LensSettings } from './settings';
import { systemClock } from './util/clock';
import { DisposableStore } from './util/disposable';
import { ProcessesTreeProvider } from './views/processesTree';
import { SessionsTreeProvider, type SessionsTreeElement } from './views/sessionsTree';
import { SessionStatusBar } from './views/statusBar';
import { PanelManager } from './webviews/panelManager';
import { SESSION_EDITOR_VIEW_TYPE, SessionFileEditorProvider } from './webviews/sessionFileEditor';

const VIEW_COMMANDS: Record<string, ViewName> = {
  'runtimeLens.openEvents': 'events',
  'runtimeLens.openProcessTree': 'processTree',
  'runtimeLens.openNetworkMap': 'networkMap',
  'runtimeLens.openTimeline': 'timeline',
  'runtimeLens.openSyscallSummary': 'summary',
};

/** Set by activate: the orderly shutdown deactivate() waits for (VS Code does not wait for disposables). */
let shutdown: (() => Promise<void>) | undefined;

/** Called by VS Code when a Runtime Lens command, view or session file is first used. */
export function activate(context: vscode.ExtensionContext): void {
  const store = new DisposableStore();
  context.subscriptions.push(store);
  const output = store.add(vscode.window.createOutputChannel('Runtime Lens'));
  const log = (line: string) => output.appendLine(`${new Date().toISOString()} ${line}`);
  const clock = systemClock;
  const version = String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0');

  const defaultSessionsDirectory = path.join(context.globalStorageUri.fsPath, 'sessions');
  let reportedProblems = '';
  const settings = (): LensSettings => {
    const { settings: s, problems } = readSettings(vscode.workspace.getConfiguration('runtimeLens'), defaultSessionsDirectory);
    const text = problems.join('\n');
    if (text && text !== reportedProblems) void vscode.window.showWarningMessage(`Runtime Lens settings: ${problems.join(' ')}`);
    reportedProblems = text;
    return s;
  };

  const sessions = store.add(new SessionManager({ clock, log, settings }));

  // ---- agent ----
  let advisedAgent: AgentClient | undefined;
  let lastProblem: { problem: NonNullable<NonNullable<AgentClient['initializeResult']>['capabilities']['problem']>; cmd: AgentCommand } | undefined;
  const advisor = new PrivilegeAdvisor(
    {
      showWarningMessage: (m, ...items) => vscode.window.showWarningMessage(m, ...items),
      showErrorMessage: (m, ...items) => vscode.window.showErrorMessage(m, ...items),
      showInformationMessage: (m, ...items) => vscode.window.showInformationMessage(m, ...items),
      createTerminal: (options) => store.add(vscode.window.createTerminal(options)),
    },
    {
      pkexec: async (args) => {
        const pkexec = await findExecutable('pkexec', os.homedir());
        if (!pkexec) return undefined;
        return new Promise((resolve) => {
          execFile(pkexec, args, (err, _stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr: String(stderr) }));
        });
      },
      enableSudo: async () => {
        await vscode.workspace.getConfiguration('runtimeLens').update('runWithSudo', true, vscode.ConfigurationTarget.Global);
      },
      restartAgent: async () => {
        await agents.restart();
      },
      showDetails: (text) => {
        output.appendLine(text);
        output.show(true);
      },
    },
  );
  const registry = store.add(new AgentRegistry());
  const agents: AgentManager = registry.add(new AgentManager({
    id: LOCAL_AGENT,
    ui: { showErrorMessage: (m, ...items) => vscode.window.showErrorMessage(m, ...items) },
    resolveCommand: () => {
      const s = settings();
      return resolveAgentCommand({ extensionPath: context.extensionPath, agentPathOverride: s.agentPath, nodePath: process.execPath, runWithSudo: s.runWithSudo });
    },
    spawn: (cmd) => spawnAgent(cmd, context.extensionPath, log),
    clientName: 'vscode-runtime-lens',
    clientVersion: version,
    log,
    onClient: (client) => sessions.bindAgent(client),
    onProblem: (problem, cmd) => {
      lastProblem = { problem, cmd };
      advisedAgent = agents.current;
      void advisor.offer(problem, cmd.probePath);
    },
    restart: () => void vscode.commands.executeCommand('runtimeLens.restartAgent'),
  }));
  /** Offers the privilege fixes again when a start was refused for lack of privileges. */
  const adviseOnPermission = (err: unknown) => {
    const cause = (err as { cause?: unknown }).cause ?? err;
    if (!isAgentError(cause, ErrorCodes.PermissionDenied)) return;
    // this agent's problem was already offered when it started; the refusal itself is shown where the user acted
    if (advisedAgent && advisedAgent === agents.current) return;
    advisedAgent = agents.current;
    const cmd = agents.agentCommand;
    void advisor.offer(lastProblem?.problem ?? { code: cause.code, message: cause.message, fixes: [] }, cmd?.probePath);
  };

  // ---- views ----
  const webviewRoot = vscode.Uri.joinPath(context.extensionUri, 'webview', 'dist');
  const panels = store.add(new PanelManager(
    {
      createWebviewPanel: (viewType, title, column, options) => vscode.window.createWebviewPanel(viewType, title, column, options),
      joinPath: (base, ...segments) => vscode.Uri.joinPath(base, ...segments),
      get activeColumn() {
        return vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
      },
    },
    webviewRoot, sessions, clock,
    {
      copy: (text) => void vscode.env.clipboard.writeText(text),
      reveal: (file, line) => {
        if (!path.isAbsolute(file) || !Number.isInteger(line) || line < 1) {
          log(`ERROR a view asked to open "${file}" at line ${line}; expected an absolute path and a line ≥ 1`);
          return;
        }
        void vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(Math.max(0, line - 1), 0, Math.max(0, line - 1), 0) })
          .then(undefined, (err: Error) => vscode.window.showErrorMessage(`Runtime Lens could not open ${file}:${line}: ${err.message}`));
      },
      log: (level, message) => log(`${level === 'error' ? 'ERROR ' : ''}${message}`),
    },
  ));
  const sessionsTree = store.add(new SessionsTreeProvider(vscode, sessions, clock));
  const processesTree = store.add(new ProcessesTreeProvider(vscode, sessions, clock));
  store.add(vscode.window.createTreeView('runtimeLens.sessions', { treeDataProvider: sessionsTree, showCollapseAll: true }));
  const processesView = store.add(vscode.window.createTreeView('runtimeLens.processes', { treeDataProvider: processesTree, showCollapseAll: true }));
  // the Processes view says whose processes it shows
  store.add(sessions.onDidChangeCurrent((s) => {
    processesView.description = s?.title;
  }));
  store.add(new SessionStatusBar(vscode.window, vscode.StatusBarAlignment.Left, new vscode.ThemeColor('statusBarItem.warningBackground'), sessions));
  store.add(vscode.window.registerCustomEditorProvider(SESSION_EDITOR_VIEW_TYPE, new SessionFileEditorProvider(sessions, panels, log), {
    webviewOptions: { retainContextWhenHidden: true },
    supportsMultipleEditorsPerDocument: false,
  }));
  const terminals = store.add(new DisposableStore());

  // ---- commands ----
  const register = (id: string, fn: (...args: never[]) => unknown) => store.add(vscode.commands.registerCommand(id, fn));
  const showError = (err: unknown) => void vscode.window.showErrorMessage((err as Error).message ?? String(err));

  const afterStart = (session: Session) => {
    if (settings().openEventsOnStart) panels.open('events');
    log(`session ${session.id} started: ${session.title}${session.file ? ` -> ${session.file}` : ''}`);
  };

  const launch = async (argv: string[], cwd: string, title: string) => {
    const client = await agents.get();
    try {
      const session = await sessions.start(client, { kind: 'launch', command: argv, cwd }, title, (s) => {
        const pty = new SessionTerminal(s, sessions, (m) => void vscode.window.showErrorMessage(m));
        const terminal = terminals.add(vscode.window.createTerminal({ name: `Runtime Lens: ${s.title}`, pty, iconPath: new vscode.ThemeIcon('pulse') }));
        terminals.add(pty);
        terminal.show(true);
      });
      afterStart(session);
    } catch (err) {
      adviseOnPermission(err);
      throw err;
    }
  };

  const tracePrompt = new TraceCommandPrompt({
    ui: {
      createInputBox: () => vscode.window.createInputBox(),
      showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
      showErrorMessage: (m) => vscode.window.showErrorMessage(m),
    },
    history: context.globalState,
    workspaceFolder: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    homeDirectory: os.homedir(),
    historyButton: { iconPath: new vscode.ThemeIcon('history'), tooltip: 'Previous commands' },
    run: launch,
  });

  register('runtimeLens.traceCommand', async (arg?: unknown) => {
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
    listProcesses: async () => (await agents.get()).listProcesses(),
    hiddenPids: () => [process.pid],
    run: async (pid, comm, cmdline) => {
      const client = await agents.get();
      try {
        afterStart(await sessions.start(client, { kind: 'attach', pid, comm, cmdline }, `${comm} (pid ${pid})`));
      } catch (err) {
        adviseOnPermission(err);
        throw err;
      }
    },
  });
  register('runtimeLens.attachProcess', async (arg?: unknown) => {
    if (typeof arg === 'number' || (typeof arg === 'string' && /^\d+$/.test(arg))) await attachPicker.attach(Number(arg));
    else await attachPicker.pick();
  });

  /** The session a command applies to: its argument (tree item), else the current one, else a pick. */
  const sessionArg = async (arg: unknown, filter: (s: Session) => boolean, what: string): Promise<Session | undefined> => {
    const fromArg = arg instanceof Session ? arg : (arg as SessionsTreeElement | undefined)?.session;
    if (fromArg instanceof Session) return fromArg;
    const candidates = sessions.sessions.filter(filter);
    const current = sessions.current;
    if (current && filter(current)) return current;
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(`Runtime Lens: there is no session to ${what}.`);
      return undefined;
    }
    if (candidates.length === 1) return candidates[0];
    const picked = await vscode.window.showQuickPick(candidates.map((s) => ({ label: s.title, description: s.stateLabel(), session: s })), { title: `Runtime Lens: session to ${what}` });
    return picked?.session;
  };

  register('runtimeLens.stop', async (arg?: unknown) => {
    const session = await sessionArg(arg, (s) => s.live, 'stop');
    if (!session) return;
    try {
      await sessions.stop(session);
    } catch (err) {
      showError(new Error(`Runtime Lens could not stop ${session.title}: ${(err as Error).message}`));
    }
  });

  for (const [id, view] of Object.entries(VIEW_COMMANDS)) {
    register(id, (arg?: unknown) => {
      const fromArg = arg instanceof Session ? arg : (arg as SessionsTreeElement | undefined)?.session;
      if (fromArg instanceof Session) sessions.setCurrent(fromArg);
      panels.open(view);
    });
  }

  register('runtimeLens.showSession', (arg?: unknown) => {
    if (arg instanceof Session) sessions.setCurrent(arg);
  });

  register('runtimeLens.removeSession', async (arg?: unknown) => {
    const session = await sessionArg(arg, (s) => !s.live, 'remove from the list');
    if (session) sessions.remove(session);
  });

  register('runtimeLens.openSessionFile', async (arg?: unknown) => {
    let file = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : undefined;
    if (file) {
      const problem = await checkSessionFile(file);
      if (problem) {
        void vscode.window.showErrorMessage(`Runtime Lens: ${problem}`);
        return;
      }
    } else {
      file = await pickSessionFile({
        createQuickPick: () => vscode.window.createQuickPick(),
        showOpenDialog: (options) => vscode.window.showOpenDialog(options),
        showErrorMessage: (m) => vscode.window.showErrorMessage(m),
        file: (p) => vscode.Uri.file(p),
      }, settings().sessionsDirectory);
    }
    if (file) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), SESSION_EDITOR_VIEW_TYPE);
  });

  register('runtimeLens.exportSession', async (arg?: unknown) => {
    const session = await sessionArg(arg, () => true, 'export');
    if (!session) return;
    const format = await vscode.window.showQuickPick(
      [{ label: 'JSON', description: 'an array of events', format: 'json' as ExportFormat }, { label: 'CSV', description: 'one row per event', format: 'csv' as ExportFormat }],
      { title: `Runtime Lens: export ${session.title} as` },
    );
    if (!format) return;
    const base = session.file ? path.basename(session.file, SESSION_FILE_SUFFIX) : session.title.replace(/[^\w.-]+/g, '-');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const target = await vscode.window.showSaveDialog({
      title: 'Runtime Lens: Export Session',
      defaultUri: vscode.Uri.joinPath(folder, `${base}.${format.format}`),
      filters: format.format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    });
    if (!target) return;
    try {
      const count = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Runtime Lens: exporting ${session.title}…` },
        () => exportSession(session, format.format, target.fsPath));
      const open = await vscode.window.showInformationMessage(`Runtime Lens: exported ${count} events to ${target.fsPath}.`, 'Open');
      if (open) await vscode.window.showTextDocument(target);
    } catch (err) {
      showError(err);
    }
  });

  register('runtimeLens.restartAgent', async () => {
    try {
      const client = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Runtime Lens: restarting the agent' }, () => agents.restart());
      void vscode.window.showInformationMessage(`Runtime Lens: agent ${client.initializeResult?.agentVersion ?? ''} restarted.`);
    } catch (err) {
      showError(err);
    }
  });

  register('runtimeLens.grantCapabilities', async () => {
    try {
      const client = await agents.get();
      const problem = client.initializeResult?.capabilities.problem;
      if (!problem) {
        void vscode.window.showInformationMessage('Runtime Lens: the probe already has the privileges it needs.');
        return;
      }
      await advisor.offer(problem, agents.agentCommand?.probePath);
    } catch (err) {
      showError(err);
    }
  });

  register('runtimeLens.showLog', () => output.show());

  store.add(vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('runtimeLens')) return;
    const s = settings();
    if ((e.affectsConfiguration('runtimeLens.runWithSudo') || e.affectsConfiguration('runtimeLens.agentPath')) && agents.current) {
      if (sessions.liveSessions().length === 0) {
        void agents.restart().then(
          () => log(`agent restarted after a settings change (runWithSudo=${s.runWithSudo})`),
          (err: Error) => showError(err),
        );
      } else {
        void vscode.window.showInformationMessage('Runtime Lens: the agent settings changed; they apply when the agent restarts.', 'Restart Agent')
          .then((c) => c && vscode.commands.executeCommand('runtimeLens.restartAgent'));
      }
    }
  }));

  // deactivate() waits for this: the agent exits and every session file gets its end record
  shutdown = async () => {
    await registry.shutdown().catch((err: Error) => log(`agent shutdown: ${err.message}`));
    await sessions.closeAll().catch((err: Error) => log(`closing session files: ${err.message}`));
  };
  log(`Runtime Lens ${version} activated (extension host ${process.execPath}, pid ${process.pid})`);
}

/** Called by VS Code on shutdown: stops the agent and finishes the session files; context.subscriptions does the rest. */
export async function deactivate(): Promise<void> {
  const done = shutdown;
  shutdown = undefined;
  await done?.();
}
