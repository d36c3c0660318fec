import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { ErrorCodes, type AgentCapabilities } from '../../../remote-agent/src/protocol';
import { findExecutable } from '../commands/commandLine';
import type { DisposableStore } from '../util/disposable';
import { isAgentError, type AgentClient } from './agentClient';
import type { AgentManager } from './agentManager';
import { PrivilegeAdvisor } from './privileges';

type Problem = NonNullable<AgentCapabilities['problem']>;

/**
 * When to offer the privilege fixes: when an agent starts with a problem, and
 * when a session start is refused for lack of privileges on an agent whose
 * problem was not offered yet (once per agent process).
 */
export class PrivilegeAdvice {
  private readonly advised = new WeakSet<AgentClient>();
  private readonly problems = new WeakMap<AgentClient, Problem>();

  constructor(private readonly advisor: PrivilegeAdvisor) {}

  /** `agent` started and initialize reported `problem`. */
  started(agent: AgentManager, problem: Problem): void {
    const client = agent.current;
    if (client) {
      this.problems.set(client, problem);
      this.advised.add(client);
    }
    void this.advisor.offer(problem, agent.agentCommand?.probePath);
  }

  /** A start on `agent` failed with `err`: offers the fixes if it was refused for lack of privileges. */
  refused(agent: AgentManager, err: unknown): void {
    const cause = (err as { cause?: unknown }).cause ?? err;
    if (!isAgentError(cause, ErrorCodes.PermissionDenied)) return;
    const client = agent.current;
    // this agent's problem was already offered when it started; the refusal itself is shown where the user acted
    if (client && this.advised.has(client)) return;
    if (client) this.advised.add(client);
    const problem = (client && this.problems.get(client)) ?? { code: cause.code, message: cause.message, fixes: [] };
    void this.advisor.offer(problem, agent.agentCommand?.probePath);
  }

  /** "Grant Capabilities": offers the fixes of the agent's problem, or says there is none. */
  async offer(agent: AgentManager): Promise<void> {
    const client = await agent.get();
    const problem = client.initializeResult?.capabilities.problem;
    if (!problem) {
      void vscode.window.showInformationMessage('Runtime Lens: the probe already has the privileges it needs.');
      return;
    }
    await this.advisor.offer(problem, agent.agentCommand?.probePath);
  }
}

/** The privilege advice wired to VS Code: its dialogs, a terminal, pkexec, the runWithSudo setting and the log. */
export function vscodePrivilegeAdvice(store: DisposableStore, output: vscode.OutputChannel, restartAgent: () => Promise<void>): PrivilegeAdvice {
  return new PrivilegeAdvice(new PrivilegeAdvisor(
    {
      showWarningMessage: (m, ...items) => vscode.window.showWarningMessage(m, ...items),
      showErrorMessage: (m, ...items) => vscode.window.showErrorMessage(m, ...items),
      showInformationMessage: (m, ...items) => vscode.window.showInformationMessage(m, ...items),
      createTerminal: (options) => store.add(vscode.window.createTerminal(options)),
    },
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
      showDetails: (text) => {
        output.appendLine(text);
        output.show(true);
      },
    },
  ));
}
