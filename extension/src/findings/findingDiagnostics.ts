/*
 * The current session's findings in the Problems panel: one diagnostic per
 * rule and place (with how many times it happened), at the source line, or
 * on the file that started the program. Quick fixes on them show the event,
 * its process tree, or disable the rule for the workspace.
 */
import * as vscode from 'vscode';
import type { Priority } from '../../../remote-agent/src/model/priority';
import type { FindingEvent } from '../../../remote-agent/src/protocol';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import type { Place } from './findingPlace';
import type { SessionFindings } from './sessionFindings';

/** The diagnostics' source: quick fixes are offered on these. */
export const FINDING_SOURCE = 'Runtime Lens';

/** Severity in the Problems panel per priority (the rules contract's table). */
export function findingSeverity(p: Priority): vscode.DiagnosticSeverity {
  if (p === 'emergency' || p === 'alert' || p === 'critical' || p === 'error') return vscode.DiagnosticSeverity.Error;
  if (p === 'warning') return vscode.DiagnosticSeverity.Warning;
  return p === 'notice' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Hint;
}

/** A diagnostic of findings: the first of them is what the quick fixes act on. */
class FindingDiagnostic extends vscode.Diagnostic {
  constructor(range: vscode.Range, readonly finding: FindingEvent, readonly count: number) {
    super(range, count > 1 ? `${finding.output} (${count} times)` : finding.output, findingSeverity(finding.priority));
    this.source = FINDING_SOURCE;
    this.code = finding.rule;
  }
}

/** Keeps the Problems panel on the current session's findings. */
export class FindingDiagnostics implements vscode.CodeActionProvider {
  private readonly collection = vscode.languages.createDiagnosticCollection('runtime-lens-findings');
  private readonly subscriptions: vscode.Disposable[] = [];
  private session: Session | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(sessions: SessionManager, private readonly findings: SessionFindings, private readonly placeOf: (session: Session, f: FindingEvent) => Place | undefined) {
    this.subscriptions.push(
      sessions.onDidChangeCurrent((s) => { this.session = s; this.refresh(); }),
      findings.onDidAdd(({ session }) => { if (session === this.session) this.refreshSoon(); }),
      vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    );
    this.session = sessions.current;
    this.refresh();
  }

  private refreshSoon(): void {
    this.timer ??= setTimeout(() => { this.timer = undefined; this.refresh(); }, 250);
  }

  /** Rebuilds the diagnostics from the current session's findings. */
  refresh(): void {
    this.collection.clear();
    const session = this.session;
    if (!session) return;
    const byFile = new Map<string, Map<string, { f: FindingEvent; place: Place; count: number }>>();
    for (const f of this.findings.of(session).all()) {
      const place = this.placeOf(session, f);
      if (!place) continue;
      let spots = byFile.get(place.file);
      if (!spots) { spots = new Map(); byFile.set(place.file, spots); }
      const id = `${f.rule}\0${place.line}\0${place.column ?? 0}`;
      const spot = spots.get(id);
      if (spot) spot.count++;
      else spots.set(id, { f, place, count: 1 });
    }
    for (const [file, spots] of byFile) {
      this.collection.set(vscode.Uri.file(file), [...spots.values()].map(({ f, place, count }) => {
        const line = Math.max(0, place.line - 1);
        const col = Math.max(0, (place.column ?? 1) - 1);
        return new FindingDiagnostic(new vscode.Range(line, col, line, Number.MAX_SAFE_INTEGER), f, count);
      }));
    }
  }

  provideCodeActions(_doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (!(d instanceof FindingDiagnostic)) continue;
      const add = (title: string, command: string, arg: unknown) => {
        const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        a.command = { command, title, arguments: [arg] };
        a.diagnostics = [d];
        actions.push(a);
      };
      add('Runtime Lens: Show the Event', 'runtimeLens.showFindingEvent', { finding: d.finding });
      add('Runtime Lens: Show Its Process Tree', 'runtimeLens.showFindingProcessTree', { finding: d.finding });
      add(`Runtime Lens: Disable Rule "${d.finding.rule}" for This Workspace`, 'runtimeLens.disableRule', { finding: d.finding });
    }
    return actions;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}
