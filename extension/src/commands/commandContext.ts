import * as vscode from 'vscode';
import type { AgentRegistry } from '../agent/agentRegistry';
import type { PrivilegeAdvice } from '../agent/privilegeAdvice';
import type { RemoteHosts } from '../hosts/remoteHosts';
import { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import type { LensSettings } from '../settings';
import type { DisposableStore } from '../util/disposable';
import type { PanelManager } from '../webviews/panelManager';

/** What command handlers work with: the pieces activate() created. */
export interface CommandContext {
  extension: vscode.ExtensionContext;
  /** what the handlers create (terminals) goes here, disposed on deactivation */
  store: DisposableStore;
  agents: AgentRegistry;
  /** the remote hosts connected to (each an `ssh:HOST` agent of the registry) */
  hosts: RemoteHosts;
  sessions: SessionManager;
  panels: PanelManager;
  privileges: PrivilegeAdvice;
  settings: () => LensSettings;
  output: vscode.OutputChannel;
  log: (line: string) => void;
}

/** Registers a command; its registration is disposed with the extension. */
export function registerCommand(ctx: CommandContext, id: string, handler: (...args: never[]) => unknown): void {
  ctx.store.add(vscode.commands.registerCommand(id, handler));
}

/** Shows an error's message (the agent's messages say what went wrong and what to do). */
export function showError(err: unknown): void {
  void vscode.window.showErrorMessage((err as Error).message ?? String(err));
}

/** The session a command was invoked on: a Session, or a tree item of one. */
export function sessionOf(arg: unknown): Session | undefined {
  const fromArg = arg instanceof Session ? arg : (arg as { session?: unknown } | undefined)?.session;
  return fromArg instanceof Session ? fromArg : undefined;
}

/** The session a command applies to: its argument (tree item), else the current one, else a pick. */
export async function sessionArg(ctx: CommandContext, arg: unknown, filter: (s: Session) => boolean, what: string): Promise<Session | undefined> {
  const fromArg = sessionOf(arg);
  if (fromArg) return fromArg;
  const candidates = ctx.sessions.sessions.filter(filter);
  const current = ctx.sessions.current;
  if (current && filter(current)) return current;
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`Runtime Lens: there is no session to ${what}.`);
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(candidates.map((s) => ({ label: s.title, description: s.stateLabel(), session: s })), { title: `Runtime Lens: session to ${what}` });
  return picked?.session;
}
