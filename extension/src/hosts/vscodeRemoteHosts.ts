import * as vscode from 'vscode';
import { remoteAgentEntry, type AgentEntryDeps } from '../agent/agentEntries';
import type { AgentRegistry } from '../agent/agentRegistry';
import type { PrivilegeAdvice } from '../agent/privilegeAdvice';
import type { LensSettings } from '../settings';
import { RemoteHosts } from './remoteHosts';

/** The remote hosts wired to VS Code: progress notifications, a modal question, the agents' entries and the fixes' advisor. */
export function vscodeRemoteHosts(agents: AgentRegistry, settings: () => LensSettings, deps: AgentEntryDeps, advice: () => PrivilegeAdvice): RemoteHosts {
  return new RemoteHosts({
    agents,
    sessions: deps.sessions,
    createAgent: (target, bind) => remoteAgentEntry(target, settings, deps, bind),
    ui: {
      showWarningMessage: (m, ...items) => vscode.window.showWarningMessage(m, ...items),
      withProgress: (title, task) => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title },
        (progress) => task((message) => progress.report({ message }))),
      confirm: (message, action) => vscode.window.showWarningMessage(message, { modal: true }, action).then((c) => c === action),
    },
    offerFixes: (problem, headline) => advice().show(problem, headline),
    log: deps.log,
  });
}
