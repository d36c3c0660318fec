import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceableByNonRoot } from '../../../remote-agent/src/security/root-safe';

/** How to start the agent: the executable, its arguments and extra environment. */
export interface AgentCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** the agent bundle that will run (it finds its probe and says how to fix it) */
  agentPath: string;
}

export interface AgentCommandOptions {
  /** root of the installed extension (or of the repository in development) */
  extensionPath: string;
  /** runtimeLens.agentPath: a runtime-lens.js bundle to use instead of the bundled one */
  agentPathOverride?: string;
  /** the extension host's executable: Node, or Electron run as Node */
  nodePath: string;
  /** runtimeLens.runWithSudo: start the agent through `sudo -n` */
  runWithSudo: boolean;
  /** an agent for a remote host: `--host TARGET` and each ssh option as `--ssh-option OPT` (never with sudo: ssh must use the user's keys) */
  host?: { target: string; sshOptions: readonly string[] };
  exists?: (file: string) => boolean;
  /** why a user other than root could replace a file (checked before sudo runs the agent bundle) */
  replaceableByNonRoot?: (file: string) => string | undefined;
}

/** Places the bundled agent is looked for, in order: the packaged copy, then the development build. */
export function agentCandidates(extensionPath: string): string[] {
  return [
    path.join(extensionPath, 'extension', 'dist', 'runtime-lens.js'),
    path.join(extensionPath, 'remote-agent', 'dist', 'runtime-lens.js'),
  ];
}

/**
 * Builds the command that starts `runtime-lens agent --stdio` with the extension
 * host's own Node (ELECTRON_RUN_AS_NODE=1 makes VS Code's Electron behave as Node),
 * optionally through `sudo -n` (which never prompts: it fails with a message instead).
 */
export function resolveAgentCommand(options: AgentCommandOptions): AgentCommand {
  const exists = options.exists ?? ((f: string) => fs.existsSync(f));
  if (!options.nodePath) throw new Error('Runtime Lens: the Node executable to run the agent with is not known (process.execPath is empty).');
  let agentPath: string | undefined;
  const override = options.agentPathOverride?.trim();
  if (override) {
    if (!path.isAbsolute(override)) {
      throw new Error(`Runtime Lens: the setting runtimeLens.agentPath must be an absolute path to runtime-lens.js, got "${override}".`);
    }
    if (!exists(override)) {
      throw new Error(`Runtime Lens: the setting runtimeLens.agentPath points to "${override}", which does not exist. Fix the path or clear the setting to use the bundled agent.`);
    }
    agentPath = override;
  } else {
    const candidates = agentCandidates(options.extensionPath);
    agentPath = candidates.find((c) => exists(c));
    if (!agentPath) {
      throw new Error(`Runtime Lens: the agent bundle was not found (looked in ${candidates.join(', ')}). Reinstall the extension, or run "node scripts/build.mjs" in a development checkout.`);
    }
  }
  const agentArgs = [agentPath, 'agent', '--stdio'];
  const env = { ELECTRON_RUN_AS_NODE: '1' };
  if (options.host) {
    agentArgs.push('--host', options.host.target, ...options.host.sshOptions.flatMap((o) => ['--ssh-option', o]));
    return { command: options.nodePath, args: agentArgs, env, agentPath };
  }
  if (options.runWithSudo) {
    // sudo runs the bundle as root: one another user can replace would run their code as root
    const why = (options.replaceableByNonRoot ?? replaceableByNonRoot)(agentPath);
    if (why) {
      throw new Error(`Runtime Lens: refusing to run the agent bundle ${agentPath} as root through sudo: ${why}, so a user other than root could replace it. `
        + 'Install the extension where only root can write, or turn off runtimeLens.runWithSudo and grant the probe capabilities instead.');
    }
    // sudo resets the environment, so pass ELECTRON_RUN_AS_NODE through env(1).
    return { command: 'sudo', args: ['-n', 'env', 'ELECTRON_RUN_AS_NODE=1', options.nodePath, ...agentArgs], env, agentPath };
  }
  return { command: options.nodePath, args: agentArgs, env, agentPath };
}
