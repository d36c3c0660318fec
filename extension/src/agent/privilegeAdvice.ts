import { ErrorCodes, type ErrorData, type Problem } from '../../../remote-agent/src/protocol';
import { isAgentError, type AgentClient } from './agentClient';
import type { AgentManager } from './agentManager';
import type { PrivilegeAdvisor, PrivilegeUi } from './privileges';

/**
 * When to offer the privilege fixes: when an agent starts with a problem, and
 * when a session start is refused for lack of privileges on an agent whose
 * problem was not offered yet (once per agent process).
 */
export class PrivilegeAdvice {
  private readonly advised = new WeakSet<AgentClient>();

  constructor(private readonly advisor: PrivilegeAdvisor, private readonly ui: Pick<PrivilegeUi, 'showInformationMessage'>) {}

  /** `agent` started and initialize reported `problem`. */
  started(agent: AgentManager, problem: Problem): void {
    const client = agent.current;
    if (client) this.advised.add(client);
    void this.advisor.offer(problem);
  }

  /** A start on `agent` failed with `err`: offers the fixes if it was refused for lack of privileges. */
  refused(agent: AgentManager, err: unknown): void {
    const cause = (err as { cause?: unknown }).cause ?? err;
    if (!isAgentError(cause, ErrorCodes.PermissionDenied)) return;
    const client = agent.current;
    // this agent's problem was already offered when it started; the refusal itself is shown where the user acted
    if (client && this.advised.has(client)) return;
    if (client) this.advised.add(client);
    // the refusal's own fixes, from the agent
    const fixes = (cause.data as Partial<ErrorData> | undefined)?.fixes;
    void this.advisor.offer({ code: cause.code, message: cause.message, fixes: Array.isArray(fixes) ? fixes : [] });
  }

  /** A refusal that is not about this agent's own privileges (a remote host that refused the connection): its fixes, under `headline`. */
  show(problem: Problem, headline: string): Promise<void> {
    return this.advisor.offer(problem, headline);
  }

  /** "Grant Capabilities": offers the fixes of the agent's problem, or says there is none. */
  async offer(agent: AgentManager): Promise<void> {
    const client = await agent.get();
    const problem = client.initializeResult?.capabilities.problem;
    if (!problem) {
      void this.ui.showInformationMessage('Runtime Lens: the probe already has the privileges it needs.');
      return;
    }
    await this.advisor.offer(problem);
  }
}
