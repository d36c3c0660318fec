/*
 * The Findings view: the current session's findings grouped by rule, each
 * rule with its count and priority, each finding with where it happened.
 * Selecting a finding opens its source line; its context menu shows the
 * event, the process tree, or disables the rule for the workspace.
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { Priority } from '../../../remote-agent/src/model/priority';
import type { FindingEvent } from '../../../remote-agent/src/protocol';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import type { VscodeTypes } from '../views/vscodeTypes';
import type { FindingGroup } from './findingsIndex';
import type { Place } from './findingPlace';
import type { SessionFindings } from './sessionFindings';

/** A row: a rule's group, or one finding of it. */
export type FindingsTreeElement = { group: FindingGroup } | { finding: FindingEvent; place: Place | undefined };

/** The icon and its colour per priority: errors red, warnings yellow, the rest blue. */
export function priorityIcon(p: Priority): { id: string; colour: string } {
  if (p === 'emergency' || p === 'alert' || p === 'critical' || p === 'error') return { id: 'error', colour: 'problemsErrorIcon.foreground' };
  if (p === 'warning') return { id: 'warning', colour: 'problemsWarningIcon.foreground' };
  return { id: 'info', colour: 'problemsInfoIcon.foreground' };
}

/** The current session's findings by rule. */
export class FindingsTreeProvider implements vscode.TreeDataProvider<FindingsTreeElement> {
  private readonly changeEmitter: vscode.EventEmitter<FindingsTreeElement | undefined | void>;
  readonly onDidChangeTreeData: vscode.Event<FindingsTreeElement | undefined | void>;
  private readonly subscriptions: { dispose(): unknown }[] = [];
  private session: Session | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly vs: VscodeTypes, sessions: SessionManager, private readonly findings: SessionFindings, private readonly placeOf: (session: Session, f: FindingEvent) => Place | undefined) {
    this.changeEmitter = new vs.EventEmitter<FindingsTreeElement | undefined | void>();
    this.onDidChangeTreeData = this.changeEmitter.event;
    this.subscriptions.push(sessions.onDidChangeCurrent((s) => { this.session = s; this.changeEmitter.fire(); }));
    this.subscriptions.push(findings.onDidAdd(({ session }) => { if (session === this.session) this.refreshSoon(); }));
    this.session = sessions.current;
  }

  private refreshSoon(): void {
    this.timer ??= setTimeout(() => { this.timer = undefined; this.changeEmitter.fire(); }, 250);
  }

  /** How many findings the current session has (the view's badge). */
  get total(): number {
    return this.session ? this.findings.of(this.session).total : 0;
  }

  getChildren(element?: FindingsTreeElement): FindingsTreeElement[] {
    const session = this.session;
    if (!session) return [];
    if (!element) return this.findings.of(session).groups().map((group) => ({ group }));
    if ('group' in element) return element.group.findings.map((finding) => ({ finding, place: this.placeOf(session, finding) }));
    return [];
  }

  getTreeItem(element: FindingsTreeElement): vscode.TreeItem {
    const { vs } = this;
    if ('group' in element) {
      const g = element.group;
      const item = new vs.TreeItem(g.rule, vs.TreeItemCollapsibleState.Expanded);
      item.description = `${g.count} · ${g.priority}`;
      const icon = priorityIcon(g.priority);
      item.iconPath = new vs.ThemeIcon(icon.id, new vs.ThemeColor(icon.colour));
      item.contextValue = 'findingRule';
      item.tooltip = `${g.rule}: ${g.count} finding${g.count === 1 ? '' : 's'}, priority ${g.priority}`;
      item.id = `rule:${g.rule}`;
      return item;
    }
    const { finding: f, place } = element;
    const item = new vs.TreeItem(f.output, vs.TreeItemCollapsibleState.None);
    item.description = place ? `${path.basename(place.file)}:${place.line}` : `${f.comm} (${f.pid})`;
    item.tooltip = new vs.MarkdownString().appendText(`[${f.priority}] ${f.rule}\n${f.output}\n${place ? `${place.file}:${place.line}` : 'no source line'} · ${f.comm} (pid ${f.pid})`);
    item.contextValue = 'finding';
    item.command = place
      ? { command: 'runtimeLens.openFindingSource', title: 'Open Source', arguments: [element] }
      : { command: 'runtimeLens.showFindingEvent', title: 'Show Event', arguments: [element] };
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changeEmitter.dispose();
  }
}
