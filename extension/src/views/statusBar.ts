import type * as vscode from 'vscode';
import { lossReasonsText } from '../../../remote-agent/src/protocol';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import { lostCount, shortNumber } from './format';

/** The slice of the vscode API the status bar item needs. */
export interface StatusBarUi {
  createStatusBarItem(id: string, alignment: vscode.StatusBarAlignment, priority: number): vscode.StatusBarItem;
}

/**
 * The status bar item: event rate and lost count of the current session;
 * click opens the events view. Hidden when there is no session.
 */
export class SessionStatusBar {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: { dispose(): unknown }[] = [];

  constructor(ui: StatusBarUi, alignment: vscode.StatusBarAlignment, private readonly warningBackground: vscode.ThemeColor, private readonly sessions: SessionManager) {
    this.item = ui.createStatusBarItem('runtimeLens.status', alignment, 50);
    this.item.name = 'Runtime Lens';
    this.item.command = 'runtimeLens.openEvents';
    this.subscriptions.push(
      sessions.onDidChangeCurrent(() => this.update()),
      sessions.onDidChangeSession((s) => {
        if (s === sessions.current) this.update();
      }),
    );
    this.update();
  }

  /** The text for a session, e.g. "$(pulse) 1.2k ev/s · 35k · lost 0". */
  static text(s: Session): string {
    const icon = s.live ? '$(pulse)' : s.state === 'failed' ? '$(error)' : s.state === 'disconnected' ? '$(debug-disconnect)' : '$(debug-stop)';
    const rate = s.live ? `${shortNumber(s.stats.rate)} ev/s · ` : '';
    return `${icon} ${rate}${shortNumber(s.stats.total)} events · lost ${lostCount(s.stats)}`;
  }

  update(): void {
    const s = this.sessions.current;
    if (!s) {
      this.item.hide();
      return;
    }
    this.item.text = SessionStatusBar.text(s);
    const why = s.stats.lostTotal ? lossReasonsText(s.stats.lostReasons) : '';
    const lost = `${lostCount(s.stats)} lost${why ? ` (${why})` : s.stats.lostBound ? (s.state === 'disconnected' ? ' (the link to the host dropped)' : ' (the probe died with events queued)') : ''}`;
    this.item.tooltip = `Runtime Lens: ${s.title} — ${s.stateLabel()}. ${s.stats.total} events received (as in the Sessions view and the events table), ${lost}. Click to open the events view.`;
    this.item.backgroundColor = s.stats.lostTotal > 0 || s.stats.lostBound || s.state === 'failed' || s.state === 'disconnected' ? this.warningBackground : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
