import type * as vscode from 'vscode';
import type { ToWebview, ViewName } from '../../../webview/src/messages';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import type { Clock } from '../util/clock';
import { makeNonce, webviewHtml } from './webviewHtml';
import { VIEW_TITLES, ViewPanel, type ViewPanelHost } from './viewPanel';

/** The slice of the vscode API panels need. */
export interface PanelApi {
  createWebviewPanel(viewType: string, title: string, showOptions: vscode.ViewColumn | { viewColumn: vscode.ViewColumn; preserveFocus?: boolean }, options: vscode.WebviewPanelOptions & vscode.WebviewOptions): vscode.WebviewPanel;
  joinPath(base: vscode.Uri, ...segments: string[]): vscode.Uri;
  activeColumn: vscode.ViewColumn;
}

/** Actions the panels' messages lead to (clipboard, opening a file at a line, logging). */
export type PanelActions = Omit<ViewPanelHost, 'broadcast' | 'refreshSummary' | 'showEvents'>;

/**
 * One webview panel per view (opening it again reveals it), each following the
 * current session; plus panels bound to one session (custom editors of session
 * files). Selection and time ranges chosen in one panel reach the others.
 */
export class PanelManager implements ViewPanelHost {
  private readonly panels = new Map<ViewName, ViewPanel>();
  private readonly bound = new Set<ViewPanel>();
  private readonly subscriptions: { dispose(): unknown }[] = [];

  constructor(
    private readonly api: PanelApi,
    /** the folder holding webview.js (the only local resource root) */
    private readonly webviewRoot: vscode.Uri,
    private readonly sessions: SessionManager,
    private readonly clock: Clock,
    private readonly actions: PanelActions,
  ) {
    this.subscriptions.push(sessions.onDidChangeCurrent((s) => {
      for (const p of this.panels.values()) p.show(s);
    }));
  }

  /** Options every Runtime Lens webview is created with. */
  webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [this.webviewRoot], enableFindWidget: true };
  }

  /** Opens (or reveals) the panel of a view, following the current session. */
  open(view: ViewName): ViewPanel {
    const existing = this.panels.get(view);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = this.api.createWebviewPanel(`runtimeLens.${view}`, VIEW_TITLES[view], this.api.activeColumn, this.webviewOptions());
    const vp = this.setUp(panel, view, this.sessions.current);
    this.panels.set(view, vp);
    vp.onDispose(() => this.panels.delete(view));
    return vp;
  }

  /** Renders a view of one fixed session into a panel VS Code created (a custom editor). */
  bind(panel: vscode.WebviewPanel, view: ViewName, session: Session): ViewPanel {
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.webviewRoot] };
    const vp = this.setUp(panel, view, session);
    this.bound.add(vp);
    vp.onDispose(() => this.bound.delete(vp));
    return vp;
  }

  private setUp(panel: vscode.WebviewPanel, view: ViewName, session: Session | undefined): ViewPanel {
    const script = panel.webview.asWebviewUri(this.api.joinPath(this.webviewRoot, 'webview.js'));
    panel.webview.html = webviewHtml({ cspSource: panel.webview.cspSource, scriptUri: script.toString(), nonce: makeNonce(), view, title: VIEW_TITLES[view] });
    return new ViewPanel(panel, view, this, this.clock, session);
  }

  broadcast(from: ViewPanel, message: ToWebview): void {
    for (const p of [...this.panels.values(), ...this.bound]) {
      if (p !== from && p.current === from.current) p.send(message);
    }
  }

  copy(text: string): void {
    this.actions.copy(text);
  }

  reveal(file: string, line: number): void {
    this.actions.reveal(file, line);
  }

  /** Opens (or reveals) the events view of the current session, filtered. */
  showEvents(filter: string): void {
    this.open('events').setFilter(filter);
  }

  exportDependencies(session: Session): void {
    this.actions.exportDependencies(session);
  }

  log(level: 'info' | 'error', message: string): void {
    this.actions.log(level, message);
  }

  refreshSummary(session: Session): void {
    void this.sessions.refreshSummary(session).catch((err: Error) => this.actions.log('error', `syscall summary: ${err.message}`));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const p of [...this.panels.values(), ...this.bound]) p.dispose();
    this.panels.clear();
    this.bound.clear();
  }
}
