import type * as vscode from 'vscode';
import type { Fix, Problem } from '../../../remote-agent/src/protocol';
import { shellWord } from '../../../remote-agent/src/trace/errors';

/** The slice of the vscode API the privilege advice needs. */
export interface PrivilegeUi {
  showWarningMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  createTerminal(options: vscode.TerminalOptions): Pick<vscode.Terminal, 'show' | 'sendText'>;
}

export interface PrivilegeActions {
  /** runs a command with pkexec; resolves with its exit code and stderr, or undefined when pkexec is not installed */
  pkexec: (args: string[]) => Promise<{ code: number; stderr: string } | undefined>;
  /** set runtimeLens.runWithSudo (restarting the agent follows from the setting change) */
  enableSudo: () => Promise<void>;
  restartAgent: () => Promise<void>;
  showDetails: (text: string) => void;
  /** the ssh options the user configured (runtimeLens.sshOptions), for the ssh command typed to run a fix on a host */
  sshOptions?: () => readonly string[];
}

export const GRANT = 'Grant capabilities';
export const MOUNT = 'Mount';
export const USE_SUDO = 'Run agent with sudo';
export const DETAILS = 'Show details';
export const RUN_ON_HOST = 'Open terminal on the host';

/** A fix to run as root: the agent's command, and what to call it. */
type RootFix = Extract<Fix, { kind: 'setcap' | 'mount' }>;

/** The agent's fix of a kind, if it gave one. */
function fixOf<K extends Fix['kind']>(problem: Problem, kind: K): Extract<Fix, { kind: K }> | undefined {
  return problem.fixes.find((f): f is Extract<Fix, { kind: K }> => f.kind === kind);
}

/**
 * Tells the user that the agent cannot trace and offers the ways out the
 * agent gave (its fixes, never re-derived here): run its setcap or mount
 * command as root (pkexec, or a terminal with the sudo command typed in), run
 * the agent with sudo, or read the details.
 */
export class PrivilegeAdvisor {
  constructor(private readonly ui: PrivilegeUi, private readonly actions: PrivilegeActions) {}

  /** `headline` says what could not be done (a host that refused the connection, a probe that cannot trace). */
  async offer(problem: Problem, headline = 'Runtime Lens cannot trace yet'): Promise<void> {
    const hostFix = fixOf(problem, 'hostCommand');
    const rootFixes = new Map<string, RootFix>();
    const setcap = fixOf(problem, 'setcap');
    if (setcap) rootFixes.set(GRANT, setcap);
    const mount = fixOf(problem, 'mount');
    if (mount) rootFixes.set(`${MOUNT} ${mount.fsType}`, mount);
    const items = [...(hostFix ? [RUN_ON_HOST] : []), ...rootFixes.keys()];
    if (fixOf(problem, 'sudo')) items.push(USE_SUDO);
    items.push(DETAILS);
    const choice = await this.ui.showWarningMessage(`${headline}: ${problem.message}`, ...items);
    const rootFix = choice ? rootFixes.get(choice) : undefined;
    if (rootFix) await this.runAsRoot(rootFix);
    else if (choice === RUN_ON_HOST && hostFix) this.runOnHost(hostFix);
    else if (choice === USE_SUDO) await this.actions.enableSudo();
    else if (choice === DETAILS) this.actions.showDetails(this.details(problem));
  }

  private async runAsRoot(fix: RootFix): Promise<void> {
    const what = fix.kind === 'setcap' ? 'capabilities granted to the probe' : `${fix.fsType} mounted at ${fix.target}`;
    const result = await this.actions.pkexec(['sh', '-c', fix.command]);
    if (result) {
      const { code, stderr } = result;
      if (code === 0) {
        await this.actions.restartAgent();
        void this.ui.showInformationMessage(`Runtime Lens: ${what}; the agent was restarted.`);
        return;
      }
      if (code !== 126) {
        // 126: the user dismissed the pkexec dialog; anything else is a real failure
        await this.ui.showErrorMessage(`Runtime Lens: pkexec ${fix.command} failed (exit ${code}): ${stderr.trim() || 'no message'}. Run it in a terminal with sudo instead.`);
      }
    }
    const terminal = this.ui.createTerminal({ name: `Runtime Lens: ${fix.kind === 'setcap' ? 'grant capabilities' : `mount ${fix.fsType}`}` });
    terminal.show();
    // typed in, not executed: the user reviews the command and presses Enter
    terminal.sendText(`sudo ${fix.command}`, false);
    void this.ui.showInformationMessage('Runtime Lens: run the command shown in the terminal (press Enter), then run "Runtime Lens: Restart Agent".');
  }

  /** Types `ssh -t HOST sudo COMMAND` into a terminal, not run: the user reviews it, and sudo asks for the password there, never us. */
  private runOnHost(fix: Extract<Fix, { kind: 'hostCommand' }>): void {
    const options = (this.actions.sshOptions?.() ?? []).flatMap((o) => ['-o', shellWord(o)]);
    const terminal = this.ui.createTerminal({ name: `Runtime Lens: ${fix.host}` });
    terminal.show();
    terminal.sendText(['ssh', '-t', ...options, shellWord(fix.host), shellWord(`sudo ${fix.command}`)].join(' '), false);
    void this.ui.showInformationMessage(`Runtime Lens: run the command shown in the terminal (press Enter) once on ${fix.host}, then connect again.`);
  }

  private details(problem: Problem): string {
    const lines = [`Problem (code ${problem.code}): ${problem.message}`, '', 'Ways to fix it:'];
    for (const f of problem.fixes) lines.push(`  - ${f.text}`);
    if (fixOf(problem, 'sudo')) lines.push('  - in VS Code: set "runtimeLens.runWithSudo": true (the agent then starts with sudo -n; needs passwordless sudo)');
    const setcap = fixOf(problem, 'setcap');
    if (setcap) lines.push(`Probe: ${setcap.probe}`);
    return lines.join('\n');
  }
}
