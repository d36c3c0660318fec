/*
 * Runtime Lens extension entry point: only wires. It creates the agent
 * registry, the sessions, the views and the commands (extension/src/commands/),
 * each with what it talks to, and registers them in context.subscriptions.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LOCAL_AGENT } from './agent/agentId';
import { localAgentEntry, vscodePrivilegeAdvice } from './agent/agentEntries';
import { AgentRegistry } from './agent/agentRegistry';
import type { PrivilegeAdvice } from './agent/privilegeAdvice';
import { registerAgentCommands } from './commands/agentCommands';
import { registerHostCommands } from './commands/hostCommands';
import { registerDebugTracing } from './debug/registerDebugTracing';
import { registerEditorCommands } from './commands/editorCommands';
import { registerFindings } from './findings/registerFindings';
import type { CommandContext } from './commands/commandContext';
import { registerSessionCommands } from './commands/sessionCommands';
import { registerSessionFileCommands } from './commands/sessionFileCommands';
import { registerTraceCommands } from './commands/traceCommands';
import { vscodeEditorSurface } from './editor/editorSurface';
import { SourceDecorations } from './editor/sourceDecorations';
import { vscodeRemoteHosts } from './hosts/vscodeRemoteHosts';
import { SessionManager, type SessionSettings } from './session/sessionManager';
import { toLocalPath } from './editor/pathMappings';
import { pathMappingsFor, readSettings, type LensSettings } from './settings';
import { systemClock } from './util/clock';
import { DisposableStore } from './util/disposable';
import { registerViews } from './views/registerViews';

/** Set by activate: the orderly shutdown deactivate() waits for (VS Code does not wait for disposables). */
let shutdown: (() => Promise<void>) | undefined;

/** Called by VS Code when a Runtime Lens command, view or session file is first used. */
export function activate(context: vscode.ExtensionContext): void {
  const store = new DisposableStore();
  context.subscriptions.push(store);
  const output = store.add(vscode.window.createOutputChannel('Runtime Lens'));
  const log = (line: string) => output.appendLine(`${new Date().toISOString()} ${line}`);
  const version = String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0');

  const defaultSessionsDirectory = path.join(context.globalStorageUri.fsPath, 'sessions');
  let reportedProblems = '';
  const settings = (): LensSettings => {
    const { settings: s, problems } = readSettings(vscode.workspace.getConfiguration('runtimeLens'), defaultSessionsDirectory, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
    const text = problems.join('\n');
    if (text && text !== reportedProblems) void vscode.window.showWarningMessage(`Runtime Lens settings: ${problems.join(' ')}`);
    reportedProblems = text;
    return s;
  };

  const sessions = store.add(new SessionManager({ clock: systemClock, log, settings: () => withSourceRoots(settings()) }));
  const agents = store.add(new AgentRegistry());
  const privileges: PrivilegeAdvice = vscodePrivilegeAdvice(store, output, async () => {
    await agents.get(LOCAL_AGENT).restart();
  }, () => settings().sshOptions);
  const entryDeps = { extension: context, sessions, privileges: () => privileges, log, version };
  agents.add(localAgentEntry(settings, entryDeps));
  const hosts = store.add(vscodeRemoteHosts(agents, settings, entryDeps, () => privileges));
  const panels = registerViews(context, store, sessions, systemClock, log, (file) => toLocalPath(file, pathMappingsFor(settings(), sessions.current?.host)), hosts);
  const decorations = store.add(new SourceDecorations(store.add(vscodeEditorSurface(context.extensionUri)), sessions, systemClock, () => {
    const s = settings();
    return { enabled: s.decorations, mappings: pathMappingsFor(s, sessions.current?.host) };
  }));
  store.add(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('runtimeLens.decorations') || e.affectsConfiguration('runtimeLens.pathMappings') || e.affectsConfiguration('runtimeLens.remotePathMappings')) decorations.settingsChanged();
  }));

  const ctx: CommandContext = { extension: context, store, agents, hosts, sessions, panels, privileges, settings, output, log };
  registerTraceCommands(ctx);
  registerSessionCommands(ctx);
  registerSessionFileCommands(ctx);
  registerAgentCommands(ctx);
  registerHostCommands(ctx);
  registerEditorCommands(ctx, decorations);
  registerFindings(ctx);
  registerDebugTracing(ctx, decorations);

  // deactivate() waits for this: the agents exit and every session file gets its end record
  shutdown = async () => {
    await agents.shutdown().catch((err: Error) => log(`agent shutdown: ${err.message}`));
    await sessions.closeAll().catch((err: Error) => log(`closing session files: ${err.message}`));
  };
  log(`Runtime Lens ${version} activated (extension host ${process.execPath}, pid ${process.pid})`);
}

/** Called by VS Code on shutdown: stops the agents and finishes the session files; context.subscriptions does the rest. */
export async function deactivate(): Promise<void> {
  const done = shutdown;
  shutdown = undefined;
  await done?.();
}

/** Session settings with the window's source roots: its workspace folders and the traced-machine roots mapped into it. */
function withSourceRoots(s: LensSettings): SessionSettings {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return { ...s, sourceRoots: [...folders, ...s.pathMappings.map((m) => m.from)] };
}
