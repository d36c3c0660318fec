import type * as vscode from 'vscode';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import type { PanelManager } from './panelManager';
import { messageHtml } from './webviewHtml';

/** View type of the session file editor (package.json contributes.customEditors). */
export const SESSION_EDITOR_VIEW_TYPE = 'runtimeLens.sessionFile';

/** A session file opened in the editor: its session, or why it could not be read. */
export type SessionFileDocument = vscode.CustomDocument & ({ readonly session: Session } | { readonly session: undefined; readonly problem: string });

/** What the editor says under the reason a file could not be shown. */
const NOT_A_SESSION_HELP = 'Runtime Lens opens the session files it records: gzip-compressed NDJSON (*.lens.ndjson.gz) whose first line is a {"runtimeLens":"session"} header. '
  + 'This file may be cut off or damaged, or another program\'s file with the same ending. Runtime Lens: Open Session File… lists the recorded sessions.';

/**
 * Opens *.lens.ndjson.gz files as a read-only session: the events view in the
 * editor, and the session becomes the current one (so the other views and
 * trees show it too).
 */
export class SessionFileEditorProvider implements vscode.CustomReadonlyEditorProvider<SessionFileDocument> {
  constructor(private readonly sessions: SessionManager, private readonly panels: PanelManager, private readonly log: (line: string) => void = () => undefined) {}

  /** A file that cannot be read still opens: the editor shows why, instead of VS Code's generic "could not be opened". */
  async openCustomDocument(uri: vscode.Uri): Promise<SessionFileDocument> {
    try {
      return { uri, session: await this.sessions.openFile(uri.fsPath), dispose: () => undefined };
    } catch (err) {
      const problem = (err as Error).message;
      this.log(`ERROR opening session file ${uri.fsPath}: ${problem}`);
      return { uri, session: undefined, problem, dispose: () => undefined };
    }
  }

  resolveCustomEditor(document: SessionFileDocument, panel: Pick<vscode.WebviewPanel, 'webview' | 'onDidChangeViewState'>): void {
    if (!document.session) {
      panel.webview.options = { enableScripts: false, localResourceRoots: [] };
      panel.webview.html = messageHtml({ title: 'Runtime Lens cannot show this session file', message: document.problem, details: NOT_A_SESSION_HELP });
      return;
    }
    const session = document.session;
    this.panels.bind(panel as vscode.WebviewPanel, 'events', session);
    this.sessions.setCurrent(session);
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.sessions.setCurrent(session);
    });
  }
}
