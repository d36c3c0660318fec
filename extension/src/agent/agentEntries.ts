import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { findExecutable } from '../commands/commandLine';
import type { SessionManager } from '../session/sessionManager';
import type { LensSettings } from '../settings';
import type { DisposableStore } from '../util/disposable';
import { resolveAgentCommand, type AgentCommand } from './agentCommand';
import type { Disposable } from 'vscode-jsonrpc';
import type { AgentClient } from './agentClient';
import { LOCAL_AGENT, sshAgentId, type AgentId } from './agentId';
import { AgentManager } from './agentManager';
import { spawnAgent } from './agentProcess';
import { PrivilegeAdvice } from './privilegeAdvice';
import { PrivilegeAdvisor, type PrivilegeUi } from './privileges';

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
export function agentEntry(id: AgentId, resolveCommand: () => AgentCommand, deps: AgentEntryDeps, bind?: (client: AgentClient) => Disposable): AgentManager {
  const agent: AgentManager = new AgentManager({
    id,
    ui: { showErrorMessage: (m, ...items) => vscode.window.showErrorMessage(m, ...items) },
    resolveCommand,
    spawn: (cmd) => spawnAgent(cmd, deps.extension.extensionPath, deps.log),
    clientName: 'vscode-runtime-lens',
    clientVersion: deps.version,
    log: deps.log,
    onClient: (client) => {
      const bindings = [deps.sessions.bindAgent(client), ...(bind ? [bind(client)] : [])];
      return { dispose: () => bindings.forEach((b) => b.dispose()) };
    },
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

/**
 * The agent for a remote host: this machine's agent run with `--host TARGET`
 * (it runs ssh, deploys and drives the probe there); `bind` follows its host notifications.
 */
export function remoteAgentEntry(target: string, settings: () => LensSettings, deps: AgentEntryDeps, bind: (client: AgentClient) => Disposable): AgentManager {
  return agentEntry(sshAgentId(target), () => {
    const s = settings();
    return resolveAgentCommand({
      extensionPath: deps.extension.extensionPath, agentPathOverride: s.agentPath, nodePath: process.execPath, runWithSudo: false,
      host: { target, sshOptions: s.sshOptions },
    });
  }, deps, bind);
}

/** The privilege advice wired to VS Code: its dialogs, a terminal, pkexec, the runWithSudo setting and the log. */
export function vscodePrivilegeAdvice(store: DisposableStore, output: vscode.OutputChannel, restartAgent: () => Promise<void>, sshOptions: () => readonly string[]): PrivilegeAdvice {
  const ui: PrivilegeUi = {
    showWarningMessage: (m, ...items) => vscode.window.showWarningMessage(m, ...items),
    showErrorMessage: (m, ...items) => vscode.window.showErrorMessage(m, ...items),
    showInformationMessage: (m, ...items) => vscode.window.showInformationMessage(m, ...items),
    createTerminal: (options) => store.add(vscode.window.createTerminal(options)),
  };
  return new PrivilegeAdvice(new PrivilegeAdvisor(
    ui,
    {
      pkexec: async (args) => {
        const pkexec = await findExecutable('pkexec', os.homedir());
        if (!pkexec) return undefined;
        return new Promise((resolve) => {
          execFile(pkexec, args, (err, _stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr: String(stderr) }));
        });
      },
      enableSudo: async () => {
        await vscode.workspace.getConfiguration('runtimeLens').update('runWithSudo', true, vscode.ConfigurationTarget.Global);
      },
      restartAgent,
      sshOptions,
      showDetails: (text) => {
        output.appendLine(text);
        output.show(true);
      },
    },
  ), ui);
}
