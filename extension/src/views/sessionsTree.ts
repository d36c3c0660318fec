import type * as vscode from 'vscode';
import { LOSS_REASONS, lossReasonsText, type EventKind, type SessionTarget } from '../../../remote-agent/src/protocol';
import type { RemoteHost } from '../hosts/remoteHost';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import type { Clock } from '../util/clock';
import { duration, escapeMd, lostCount, shortNumber, startTime } from './format';
import { hostHintItem, hostItem } from './hostItems';
import type { VscodeTypes } from './vscodeTypes';

/** A row of the Sessions view: a remote host, a session, or one of its details. */
export type SessionsTreeElement =
  | { type: 'host'; host: RemoteHost }
  | { type: 'hostHint'; host: RemoteHost }
  | { type: 'session'; session: Session }
  | { type: 'detail'; session: Session; id: string; label: string; description?: string; tooltip?: string; icon?: string; kinds?: boolean };

/** The connected remote hosts, as the Sessions view lists them. */
export interface HostList {
  readonly hosts: readonly RemoteHost[];
  readonly onDidChange: (listener: () => void) => { dispose(): unknown };
}

/**
 * The Sessions view: one row per session (target, state, event count, lost),
 * expanding to its agent, target, state, per-kind counts, lost events and file.
 * Clicking a session makes it the one the other views show.
 */
export class SessionsTreeProvider implements vscode.TreeDataProvider<SessionsTreeElement> {
  private readonly changeEmitter: vscode.EventEmitter<SessionsTreeElement | undefined | void>;
  readonly onDidChangeTreeData: vscode.Event<SessionsTreeElement | undefined | void>;
  private readonly subscriptions: { dispose(): unknown }[] = [];

  constructor(private readonly vs: VscodeTypes, private readonly sessions: SessionManager, private readonly clock: Clock, private readonly hosts?: HostList) {
    this.changeEmitter = new vs.EventEmitter<SessionsTreeElement | undefined | void>();
    this.onDidChangeTreeData = this.changeEmitter.event;
    this.subscriptions.push(
      sessions.onDidChangeSessions(() => this.refreshNow()),
      sessions.onDidChangeCurrent(() => this.refreshNow()),
      // sessions pace their own changes (Session COUNTS_MS): repainting at once keeps this count equal to the status bar's
      sessions.onDidChangeSession(() => this.refreshNow()),
    );
    if (hosts) this.subscriptions.push(hosts.onDidChange(() => this.refreshNow()));
  }

  /** Each connected host with its sessions under it, then the sessions of no listed host (this machine's, reopened files), newest first. */
  getChildren(element?: SessionsTreeElement): SessionsTreeElement[] {
    const newestFirst = [...this.sessions.sessions].reverse();
    const hosts = this.hosts?.hosts ?? [];
    if (!element) {
      const listed = new Set(hosts.map((h) => h.agentId));
      return [
        ...hosts.map((host): SessionsTreeElement => ({ type: 'host', host })),
        ...newestFirst.filter((s) => !s.agentId || !listed.has(s.agentId)).map((session): SessionsTreeElement => ({ type: 'session', session })),
      ];
    }
    if (element.type === 'host') {
      const own = newestFirst.filter((s) => s.agentId === element.host.agentId);
      return own.length ? own.map((session) => ({ type: 'session', session })) : [{ type: 'hostHint', host: element.host }];
    }
    if (element.type === 'hostHint') return [];
    if (element.type === 'detail') {
      if (!element.kinds) return [];
      const s = element.session;
      return (Object.entries(s.stats.events) as [EventKind, number][])
        .sort((a, b) => b[1] - a[1])
        .map(([kind, n]) => ({ type: 'detail', session: s, id: `kind-${kind}`, label: kind, description: `${n}${s.stats.lost[kind] ? ` (lost ${s.stats.lost[kind]})` : ''}` }));
    }
    const s = element.session;
    const target = targetDescription(s.target);
    const end = s.stats.endedAt ?? this.clock.now();
    const rows: SessionsTreeElement[] = [
      { type: 'detail', session: s, id: 'agent', label: 'Agent', description: s.agentLabel ?? 'local agent', icon: 'server-process' },
      ...(s.host ? [{ type: 'detail', session: s, id: 'host', label: 'Host', description: s.host, tooltip: `Traced on ${s.host} over SSH`, icon: 'remote' } as const] : []),
      { type: 'detail', session: s, id: 'target', label: TARGET_LABELS[s.target.kind], description: target, tooltip: target, icon: 'terminal' },
      { type: 'detail', session: s, id: 'state', label: 'State', description: `${s.stateLabel()} · ${duration(s.stats.startedAt, end)}`, tooltip: s.message, icon: 'pulse' },
      {
        type: 'detail', session: s, id: 'events', label: 'Events', description: `${s.stats.total} (${shortNumber(s.stats.rate)}/s) · ${s.window.size} in memory`, icon: 'list-flat', kinds: s.stats.total > 0,
        tooltip: `${s.stats.total} events received from the agent: the count the status bar and the events table show. ${s.window.size} are held in memory for the views (runtimeLens.maxEventsInMemory); all are in the session file.`,
      },
      { type: 'detail', session: s, id: 'lost', label: 'Lost', description: lostDescription(s), tooltip: LOST_TOOLTIP, icon: s.stats.lostTotal > 0 || s.stats.lostBound ? 'warning' : 'check' },
    ];
    if (s.message) rows.push({ type: 'detail', session: s, id: 'message', label: 'Message', description: s.message, tooltip: s.message, icon: s.state === 'failed' ? 'error' : 'info' });
    if (s.file) rows.push({ type: 'detail', session: s, id: 'file', label: 'File', description: s.file, tooltip: s.file, icon: 'file-zip' });
    return rows;
  }

  getTreeItem(element: SessionsTreeElement): vscode.TreeItem {
    const { vs } = this;
    if (element.type === 'host') return hostItem(vs, element.host);
    if (element.type === 'hostHint') return hostHintItem(vs, element.host);
    if (element.type === 'detail') {
      const item = new vs.TreeItem(element.label, element.kinds ? vs.TreeItemCollapsibleState.Collapsed : vs.TreeItemCollapsibleState.None);
      item.id = `${element.session.id}/${element.id}`;
      item.description = element.description;
      item.tooltip = element.tooltip;
      if (element.icon) item.iconPath = new vs.ThemeIcon(element.icon);
      item.contextValue = `detail.${element.id}`;
      return item;
    }
    const s = element.session;
    const item = new vs.TreeItem(s.title, vs.TreeItemCollapsibleState.Collapsed);
    item.id = s.id;
    const lost = s.stats.lostTotal > 0 || s.stats.lostBound ? ` · lost ${lostCount(s.stats)}` : '';
    // the start time tells apart sessions of the same command (and a reopened file from the live one)
    const started = startTime(s.stats.startedAt, this.clock.now());
    // a session not under its host's row (a reopened file, a host since removed) names the host
    const listed = this.hosts?.hosts.some((h) => h.agentId === s.agentId) ?? false;
    const on = s.host && !listed ? ` · on ${s.host}` : '';
    item.description = `${started} · ${s.stateLabel()} · ${shortNumber(s.stats.total)} events${lost}${on}${this.sessions.current === s ? ' · shown' : ''}`;
    item.tooltip = new vs.MarkdownString(`**${escapeMd(s.title)}**\n\nstarted ${escapeMd(new Date(s.stats.startedAt).toLocaleString())}\n\n${escapeMd(s.stateLabel())}${s.message ? `\n\n${escapeMd(s.message)}` : ''}`);
    item.iconPath = stateIcon(vs, s);
    item.contextValue = s.live ? 'session.live' : s.fromFile ? 'session.file' : 'session.ended';
    item.command = { command: 'runtimeLens.showSession', title: 'Show in Runtime Lens views', arguments: [s] };
    return item;
  }

  private refreshNow(): void {
    this.changeEmitter.fire();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changeEmitter.dispose();
  }
}

const LOST_TOOLTIP = `Events that were traced but never reached VS Code, by reason. ${LOSS_REASONS.buffers_full}: the kernel ring buffer or the probe's queue `
  + `overflowed (a larger ring buffer or fewer event groups help). ${LOSS_REASONS.client_not_reading}: the agent's queue to VS Code was full because `
  + `VS Code did not read it in time; whole batches were dropped. ${LOSS_REASONS.probe_died}: the probe died with events queued (then at least ≥N, `
  + 'or unknown). Never hidden.';

/** "12 (buffers full 5, client not reading 7)", "≥12 (probe died 12)", "unknown" */
/** The Sessions view's label for a session's target, by kind. */
const TARGET_LABELS: Record<SessionTarget['kind'], string> = { launch: 'Command', attach: 'Attached to', debug: 'Debugging' };

/** One line saying what a session traces. */
function targetDescription(t: SessionTarget): string {
  switch (t.kind) {
    case 'launch': return `${t.command.join(' ')}${t.cwd ? `  (in ${t.cwd})` : ''}`;
    case 'attach': return `pid ${t.pid}${t.comm ? ` (${t.comm})` : ''}${t.cmdline ? ` · ${t.cmdline}` : ''}`;
    case 'debug': return `${t.name} (${t.debugType}) · pid ${t.pid}`;
  }
}

function lostDescription(s: Session): string {
  const why = s.stats.lostTotal ? lossReasonsText(s.stats.lostReasons) : '';
  return why ? `${lostCount(s.stats)} (${why})` : lostCount(s.stats);
}

function stateIcon(vs: VscodeTypes, s: Session): vscode.ThemeIcon {
  switch (s.state) {
    case 'starting':
      return new vs.ThemeIcon('loading~spin');
    case 'running':
      return new vs.ThemeIcon('record', new vs.ThemeColor('testing.iconQueued'));
    case 'failed':
      return new vs.ThemeIcon('error', new vs.ThemeColor('errorForeground'));
    case 'disconnected':
      return new vs.ThemeIcon('debug-disconnect', new vs.ThemeColor('list.warningForeground'));
    case 'exited':
      return s.exitCode === 0 ? new vs.ThemeIcon('pass', new vs.ThemeColor('testing.iconPassed')) : new vs.ThemeIcon('warning', new vs.ThemeColor('list.warningForeground'));
    default:
      return new vs.ThemeIcon(s.fromFile ? 'file-zip' : 'debug-stop');
  }
}
