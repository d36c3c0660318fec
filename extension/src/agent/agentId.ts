/*
 * Which agent a session runs on: `local` (the agent the extension starts on
 * this machine) or `ssh:HOST` (one started over SSH). Sessions are routed by
 * this id together with the agent's own session id, which is unique only
 * within one agent.
 */

/** The id of an agent in the registry. */
export type AgentId = 'local' | `ssh:${string}`;

/** The agent on this machine. */
export const LOCAL_AGENT: AgentId = 'local';

/** The id of the agent reached over SSH at `host` ([user@]host[:port]). */
export function sshAgentId(host: string): AgentId {
  if (!host || /\s/.test(host)) throw new Error(`Runtime Lens: "${host}" is not an SSH host; expected [user@]host[:port] without spaces.`);
  return `ssh:${host}`;
}

/** How views name an agent: "local agent" or "HOST (SSH)". */
export function agentLabel(id: AgentId): string {
  return hostOfAgent(id) === undefined ? 'local agent' : `${hostOfAgent(id)} (SSH)`;
}

/** The remote host of an agent id ([user@]host[:port]), or undefined for the local agent. */
export function hostOfAgent(id: AgentId): string | undefined {
  return id.startsWith('ssh:') ? id.slice('ssh:'.length) : undefined;
}
