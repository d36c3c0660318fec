/*
 * The rows of a remote host in the Sessions view: the host with its link
 * state, and the hint shown under a host that has no session yet.
 */
import type * as vscode from 'vscode';
import type { RemoteHost } from '../hosts/remoteHost';
import { escapeMd } from './format';
import type { VscodeTypes } from './vscodeTypes';

/** The host's row: its target, state, what its agent reported, and the actions of its state (contextValue host.STATE). */
export function hostItem(vs: VscodeTypes, host: RemoteHost): vscode.TreeItem {
  const item = new vs.TreeItem(host.target, vs.TreeItemCollapsibleState.Expanded);
  item.id = `host:${host.target}`;
  item.description = host.stateLabel();
  const info = host.info;
  const lines = [`${host.target} (SSH): ${host.stateLabel()}`];
  if (info) {
    lines.push(`${info.os} · ${info.arch} · kernel ${info.kernel}`, `agent ${info.version} in ${info.deployDir} (${info.deployed})`);
    if (info.target !== host.target) lines.push(`reached as ${info.target}`);
  }
  item.tooltip = new vs.MarkdownString(lines.map(escapeMd).join('\n\n'));
  item.contextValue = `host.${host.state}`;
  switch (host.state) {
    case 'connecting':
      item.iconPath = new vs.ThemeIcon('loading~spin');
      break;
    case 'connected':
      item.iconPath = new vs.ThemeIcon('vm-active', new vs.ThemeColor('testing.iconPassed'));
      break;
    case 'disconnected':
      item.iconPath = new vs.ThemeIcon('debug-disconnect', new vs.ThemeColor('list.warningForeground'));
      break;
  }
  return item;
}

/** Under a host without sessions: what to do next. */
export function hostHintItem(vs: VscodeTypes, host: RemoteHost): vscode.TreeItem {
  const item = new vs.TreeItem(host.state === 'connected' ? 'No sessions yet: Trace Command… or Attach to Process… on this host' : 'No sessions', vs.TreeItemCollapsibleState.None);
  item.id = `host:${host.target}/hint`;
  item.contextValue = 'host.hint';
  return item;
}
