import type * as vscode from 'vscode';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import { processCommandLine, type ProcessNode } from '../../../remote-agent/src/model/process-tree';
import type { Clock } from '../util/clock';
import type { VscodeTypes } from './vscodeTypes';

/** A row of the Processes view: a process, or the note that some were not kept. */
export type ProcessesTreeElement = ProcessNode | { omitted: number };

const REFRESH_MS = 300;

/**
 * The Processes view: the live ancestry of the current session's processes
 * (from exec/fork/exit events), with command lines and exit codes.
 */
export class ProcessesTreeProvider implements vscode.TreeDataProvider<ProcessesTreeElement> {
  private readonly changeEmitter: vscode.EventEmitter<ProcessesTreeElement | undefined | void>;
  readonly onDidChangeTreeData: vscode.Event<ProcessesTreeElement | undefined | void>;
  private readonly subscriptions: { dispose(): unknown }[] = [];
  private sessionSubscription: { dispose(): unknown } | undefined;
  private session: Session | undefined;
  private timer: unknown;

  constructor(private readonly vs: VscodeTypes, sessions: SessionManager, private readonly clock: Clock) {
    this.changeEmitter = new vs.EventEmitter<ProcessesTreeElement | undefined | void>();
    this.onDidChangeTreeData = this.changeEmitter.event;
    this.subscriptions.push(sessions.onDidChangeCurrent((s) => this.show(s)));
    this.show(sessions.current);
  }

  private show(session: Session | undefined): void {
    this.sessionSubscription?.dispose();
    this.session = session;
    const subs = session ? [session.onDidChangeProcesses(() => this.refreshSoon()), session.onDidChange((s) => {
      if (!s.live) this.refreshSoon();
    })] : [];
    this.sessionSubscription = { dispose: () => subs.forEach((d) => d.dispose()) };
    this.changeEmitter.fire();
  }

  getChildren(element?: ProcessesTreeElement): ProcessesTreeElement[] {
    if (!this.session) return [];
    if (!element) {
      const tree = this.session.processes;
      return tree.omitted > 0 ? [...tree.roots, { omitted: tree.omitted }] : [...tree.roots];
    }
    return 'omitted' in element ? [] : element.children;
  }

  getParent(element: ProcessesTreeElement): ProcessesTreeElement | undefined {
    return 'omitted' in element ? undefined : element.parent;
  }

  getTreeItem(element: ProcessesTreeElement): vscode.TreeItem {
    const { vs } = this;
    if ('omitted' in element) {
      const item = new vs.TreeItem(`${element.omitted} more processes not kept (process limit reached)`, vs.TreeItemCollapsibleState.None);
      item.iconPath = new vs.ThemeIcon('warning');
      return item;
    }
    const item = new vs.TreeItem(`${element.comm} (${element.pid})`,
      element.children.length > 0 ? vs.TreeItemCollapsibleState.Expanded : vs.TreeItemCollapsibleState.None);
    item.id = `${this.session?.id}/${element.key}`;
    const cmd = processCommandLine(element);
    const live = this.session?.live === true;
    // a process whose exit was not seen before the session ended is not "running"; the launched one may have been ended by Stop
    const stopped = element.endTs === undefined && !live && this.session?.target.kind === 'launch' && element.pid === this.session.targetPid
      ? this.session.stopOutcome() : undefined;
    const end = stopped ?? (element.endTs === undefined ? (live ? 'running' : 'no exit seen')
      : element.signal ? `killed by ${element.signal}`
        : element.exitCode !== undefined ? `exit ${element.exitCode}` : 'gone');
    item.description = `${end} · ${cmd}`;
    item.tooltip = [
      `pid ${element.pid}, parent ${element.ppid}`,
      `command: ${cmd}${element.inherited ? ' (its parent\'s: no exec seen since the fork)' : ''}`,
      element.filename ? `executable: ${element.filename}` : undefined,
      element.cwd ? `cwd: ${element.cwd}` : undefined,
      `state: ${end}`,
      `events: ${element.events}`,
    ].filter(Boolean).join('\n');
    item.iconPath = stopped ? new vs.ThemeIcon('debug-stop') : element.endTs === undefined
      ? live ? new vs.ThemeIcon('play-circle', new vs.ThemeColor('testing.iconPassed')) : new vs.ThemeIcon('circle-slash')
      : element.exitCode === 0 && !element.signal
        ? new vs.ThemeIcon('circle-outline')
        : new vs.ThemeIcon('error', new vs.ThemeColor('errorForeground'));
    item.contextValue = element.endTs === undefined && live ? 'process.running' : 'process.exited';
    return item;
  }

  private refreshSoon(): void {
    if (this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.changeEmitter.fire();
    }, REFRESH_MS);
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.sessionSubscription?.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.changeEmitter.dispose();
  }
}
