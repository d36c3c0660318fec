import type * as vscode from 'vscode';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import type { PanelManager } from './panelManager';

/** View type of the session file editor (package.json contributes.customEditors). */
export const SESSION_EDITOR_VIEW_TYPE = 'runtimeLens.sessionFile';

/** A session file opened in the editor. */
export interface SessionFileDocument extends vscode.CustomDocument {
  readonly session: Session;
}

/**
 * Opens *.lens.ndjson.gz files as a read-only session: the events view in the
 * editor, and the session becomes the current one (so the other views and
 * trees show it too).
 */
export class SessionFileEditorProvider implements vscode.CustomReadonlyEditorProvider<SessionFileDocument> {
  constructor(private readonly sessions: SessionManager, private readonly panels: PanelManager) {}

  async openCustomDocument(uri: vscode.Uri): Promise<SessionFileDocument> {
    const session = await this.sessions.openFile(uri.fsPath);
    return { uri, session, dispose: () => undefined };
  }

  resolveCustomEditor(document: SessionFileDocument, panel: vscode.WebviewPanel): void {
    this.panels.bind(panel, 'events', document.session);
    this.sessions.setCurrent(document.session);
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.sessions.setCurrent(document.session);
    });
  }
}
