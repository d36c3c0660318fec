/*
 * A notification for the findings that matter most (priority error and
 * above), once per rule and session, with the quick actions at hand.
 */
import * as vscode from 'vscode';
import { atLeast } from '../../../remote-agent/src/model/priority';
import type { SessionFindings } from './sessionFindings';
import type { Session } from '../session/session';

/** Findings at or above this priority are notified. */
export const NOTIFY_FROM = 'error' as const;

export class FindingNotifier {
  private readonly told = new WeakMap<Session, Set<string>>();
  private readonly subscription: { dispose(): unknown };

  constructor(findings: SessionFindings) {
    this.subscription = findings.onDidAdd(({ session, added }) => {
      let told = this.told.get(session);
      if (!told) { told = new Set(); this.told.set(session, told); }
      for (const f of added) {
        if (!atLeast(f.priority, NOTIFY_FROM) || told.has(f.rule)) continue;
        told.add(f.rule);
        const actions = ['Show Event', 'Show Findings', 'Disable Rule'] as const;
        void vscode.window.showWarningMessage(`Runtime Lens [${f.priority}] ${f.rule}: ${f.output}`, ...actions).then((pick) => {
          if (pick === 'Show Event') void vscode.commands.executeCommand('runtimeLens.showFindingEvent', { finding: f });
          else if (pick === 'Show Findings') void vscode.commands.executeCommand('runtimeLens.findings.focus');
          else if (pick === 'Disable Rule') void vscode.commands.executeCommand('runtimeLens.disableRule', { finding: f });
        });
      }
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
