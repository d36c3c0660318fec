/*
 * Wires findings into VS Code: the Findings view, the Problems panel, the
 * notifications, the rule files' own diagnostics and the findings, baseline
 * and seccomp commands.
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { FindingEvent } from '../../../remote-agent/src/protocol';
import type { CommandContext } from '../commands/commandContext';
import { registerFindingCommands } from '../commands/findingCommands';
import { toLocalPath } from '../editor/pathMappings';
import type { Session } from '../session/session';
import { pathMappingsFor } from '../settings';
import { FindingDiagnostics } from './findingDiagnostics';
import { FindingNotifier } from './findingNotifier';
import { findingPlace, originOf, type Place } from './findingPlace';
import { FindingsTreeProvider } from './findingsTree';
import { RuleFileDiagnostics } from './ruleFileDiagnostics';
import { SessionFindings } from './sessionFindings';

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Sets up everything findings need; all of it is disposed with the extension. */
export function registerFindings(ctx: CommandContext): void {
  const findings = ctx.store.add(new SessionFindings(ctx.sessions));
  const origins = new WeakMap<Session, { place: Place | undefined }>();
  const placeOf = (session: Session, f: FindingEvent): Place | undefined => {
    let origin = origins.get(session);
    if (!origin) {
      origin = { place: originOf(session.target, readText, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath) };
      origins.set(session, origin);
    }
    return findingPlace(f, origin.place, (file) => toLocalPath(file, pathMappingsFor(ctx.settings(), session.host)));
  };
  const tree = ctx.store.add(new FindingsTreeProvider(vscode, ctx.sessions, findings, placeOf));
  const view = ctx.store.add(vscode.window.createTreeView('runtimeLens.findings', { treeDataProvider: tree, showCollapseAll: true }));
  const badge = () => {
    const n = tree.total;
    view.badge = n ? { value: n, tooltip: `${n} finding${n === 1 ? '' : 's'}` } : undefined;
    view.description = ctx.sessions.current?.title;
  };
  ctx.store.add(tree.onDidChangeTreeData(badge));
  ctx.store.add(new FindingDiagnostics(ctx.sessions, findings, placeOf));
  ctx.store.add(new FindingNotifier(findings));
  ctx.store.add(new RuleFileDiagnostics(() => ctx.settings().rules, ctx.log));
  registerFindingCommands(ctx, findings);
}
