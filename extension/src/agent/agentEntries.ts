import * as vscode from 'vscode';
import type { SessionManager } from '../session/sessionManager';
import type { LensSettings } from '../settings';
import { resolveAgentCommand, type AgentCommand } from './agentCommand';
import { LOCAL_AGENT, type AgentId } from './agentId';
import { AgentManager } from './agentManager';
import { spawnAgent } from './agentProcess';
import type { PrivilegeAdvice } from './privilegeAdvice';

/** What every registry entry is wired to. */
export interface AgentEntryDeps {
  extension: vscode.ExtensionContext;
  sessions: SessionManager;
  privileges: () => PrivilegeAdvice;
  log: (line: string) => void;
  version: string;
}

/**
 * A registry entry: an agent differs from the others only by its id and how
 * it is started (an SSH agent is `agentEntry(sshAgentId(host), sshCommand, deps)`).
 */
export function agentEntry(id: AgentId, resolveCommand: () => AgentCommand, deps: AgentEntryDeps): AgentManager {
  const agent: AgentManager = new AgentManager({
    id,
    ui: { showErrorMessage: (m, ...items) => vscode.window.showErrorMessage(m, ...items) },
    resolveCommand,
    spawn: (cmd) => spawnAgent(cmd, deps.extension.extensionPath, deps.log),
    clientName: 'vscode-runtime-lens',
    clientVersion: deps.version,
    log: deps.log,
    onClient: (client) => deps.sessions.bindAgent(client),
    onProblem: (problem) => deps.privileges().started(agent, problem),
    restart: () => void vscode.commands.executeCommand('runtimeLens.restartAgent', id),
  });
  return agent;
}

/** The agent on this machine, started with the extension host's Node (settings re-read at every start). */
export function localAgentEntry(settings: () => LensSettings, deps: AgentEntryDeps): AgentManager {
  return agentEntry(LOCAL_AGENT, () => {
    const s = settings();
    return resolveAgentCommand({ extensionPath: deps.extension.extensionPath, agentPathOverride: s.agentPath, nodePath: process.execPath, runWithSudo: s.runWithSudo });
  }, deps);
}
