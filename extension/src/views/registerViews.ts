import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SessionManager } from '../session/sessionManager';
import type { Clock } from '../util/clock';
import type { DisposableStore } from '../util/disposable';
import { PanelManager } from '../webviews/panelManager';
import { SESSION_EDITOR_VIEW_TYPE, SessionFileEditorProvider } from '../webviews/sessionFileEditor';
import { ProcessesTreeProvider } from './processesTree';
import { SessionsTreeProvider, type HostList } from './sessionsTree';
import { SessionStatusBar } from './statusBar';

/**
 * Creates the webview panels, the Sessions and Processes trees, the status bar and the session file editor.
 * `localPath` maps a source path of the traced machine to this window's (runtimeLens.pathMappings).
 */
export function registerViews(extension: vscode.ExtensionContext, store: DisposableStore, sessions: SessionManager, clock: Clock, log: (line: string) => void,
  localPath: (file: string) => string = (file) => file, hosts?: HostList): PanelManager {
  const webviewRoot = vscode.Uri.joinPath(extension.extensionUri, 'webview', 'dist');
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
      reveal: (traced, line) => {
        const file = localPath(traced);
        if (!path.isAbsolute(file) || !Number.isInteger(line) || line < 1) {
          log(`ERROR a view asked to open "${file}" at line ${line}; expected an absolute path and a line ≥ 1`);
          return;
        }
        void vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(Math.max(0, line - 1), 0, Math.max(0, line - 1), 0) })
          .then(undefined, (err: Error) => vscode.window.showErrorMessage(`Runtime Lens could not open ${file}:${line}: ${err.message}`));
      },
      exportDependencies: (session) => void vscode.commands.executeCommand('runtimeLens.exportDependencies', session),
      log: (level, message) => log(`${level === 'error' ? 'ERROR ' : ''}${message}`),
    },
  ));
  const sessionsTree = store.add(new SessionsTreeProvider(vscode, sessions, clock, hosts));
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
  return panels;
}
