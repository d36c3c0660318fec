import type * as vscode from 'vscode';
import type { AgentCapabilities } from '../../../remote-agent/src/protocol';

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
}

export const GRANT = 'Grant capabilities';
export const USE_SUDO = 'Run agent with sudo';
export const DETAILS = 'Show details';

/** Capabilities the probe needs to load and attach its programs. */
export const PROBE_CAPABILITIES = 'cap_bpf,cap_perfmon,cap_dac_read_search+ep';

/** The exact setcap command for the probe: the agent's own fix if it gave one, else ours. */
export function setcapCommand(problem: NonNullable<AgentCapabilities['problem']>, probePath: string | undefined): string | undefined {
  for (const fix of problem.fixes) {
    // the agent's fix may carry commentary ("sudo setcap CAPS PATH   (or run with sudo)"): keep the command only
    const m = /\bsetcap\s+(\S+)\s+('(?:[^']|'\\'')*'|"[^"]*"|\S+)/.exec(fix);
    if (m) return `setcap ${m[1]} ${m[2]}`;
  }
  if (!probePath) return undefined;
  return `setcap ${PROBE_CAPABILITIES} '${probePath.replace(/'/g, `'\\''`)}'`;
}

/**
 * Tells the user the probe lacks privileges and offers the ways out: grant
 * capabilities to the probe (pkexec, or a terminal with the sudo command
 * typed in), run the agent with sudo, or read the details.
 */
export class PrivilegeAdvisor {
  constructor(private readonly ui: PrivilegeUi, private readonly actions: PrivilegeActions) {}

  async offer(problem: NonNullable<AgentCapabilities['problem']>, probePath: string | undefined): Promise<void> {
    const choice = await this.ui.showWarningMessage(
      `Runtime Lens cannot trace yet: ${problem.message}`,
      GRANT, USE_SUDO, DETAILS,
    );
    if (choice === GRANT) await this.grant(problem, probePath);
    else if (choice === USE_SUDO) await this.actions.enableSudo();
    else if (choice === DETAILS) this.actions.showDetails(this.details(problem, probePath));
  }

  private async grant(problem: NonNullable<AgentCapabilities['problem']>, probePath: string | undefined): Promise<void> {
    const setcap = setcapCommand(problem, probePath);
    if (!setcap) {
      await this.ui.showErrorMessage('Runtime Lens: the probe binary (lens-probe) was not found next to the agent, so there is nothing to grant capabilities to. Reinstall the extension, or build the probe with "make -C bpf/linux".');
      return;
    }
    const result = await this.actions.pkexec(['sh', '-c', setcap]);
    if (result) {
      const { code, stderr } = result;
      if (code === 0) {
        await this.actions.restartAgent();
        void this.ui.showInformationMessage('Runtime Lens: capabilities granted to the probe; the agent was restarted.');
        return;
      }
      if (code !== 126) {
        // 126: the user dismissed the pkexec dialog; anything else is a real failure
        await this.ui.showErrorMessage(`Runtime Lens: pkexec ${setcap} failed (exit ${code}): ${stderr.trim() || 'no message'}. Run it in a terminal with sudo instead.`);
      }
    }
    const terminal = this.ui.createTerminal({ name: 'Runtime Lens: grant capabilities' });
    terminal.show();
    // typed in, not executed: the user reviews the command and presses Enter
    terminal.sendText(`sudo ${setcap}`, false);
    void this.ui.showInformationMessage('Runtime Lens: run the command shown in the terminal (press Enter), then run "Runtime Lens: Restart Agent".');
  }

  private details(problem: NonNullable<AgentCapabilities['problem']>, probePath: string | undefined): string {
    const lines = [`Problem (code ${problem.code}): ${problem.message}`, '', 'Ways to fix it:'];
    for (const f of problem.fixes) lines.push(`  - ${f}`);
    const setcap = setcapCommand(problem, probePath);
    if (setcap) lines.push(`  - sudo ${setcap}`);
    lines.push('  - or set "runtimeLens.runWithSudo": true (the agent then starts with sudo -n; needs passwordless sudo)');
    lines.push(`Probe: ${probePath ?? 'not found'}`);
    return lines.join('\n');
  }
}
