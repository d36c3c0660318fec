import type * as vscode from 'vscode';
import { ErrorCodes, type ProcessInfo } from '../../../remote-agent/src/protocol';
import { isAgentError } from '../agent/agentClient';

/** A quick pick row for one process. */
export interface ProcessPickItem extends vscode.QuickPickItem {
  process: ProcessInfo;
}

/** The slice of the vscode API "Attach to Process…" needs. */
export interface AttachProcessUi {
  showQuickPick(items: Thenable<ProcessPickItem[]> | ProcessPickItem[], options: vscode.QuickPickOptions): Thenable<ProcessPickItem | undefined>;
  showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined>;
}

export interface AttachProcessOptions {
  ui: AttachProcessUi;
  listProcesses: () => Promise<ProcessInfo[]>;
  /** starts tracing the pid (its name and command line, when known, label the session); rejects with the agent's error */
  run: (pid: number, comm: string, cmdline?: string) => Promise<void>;
  /** pids not offered (the extension host, the agent) */
  hiddenPids: () => number[];
}

export const PICK_AGAIN = 'Pick Again';

/** Quick pick rows, newest process first, searchable by name, pid, user and command line. */
export function processPickItems(processes: readonly ProcessInfo[], hidden: readonly number[] = []): ProcessPickItem[] {
  return processes
    .filter((p) => !hidden.includes(p.pid))
    .slice()
    .sort((a, b) => b.startTime - a.startTime || b.pid - a.pid)
    .map((p) => {
      // a process's comm can be a thread name (Node's main thread calls itself MainThread): name it by its program
      const program = programName(p.cmdline);
      const label = program ?? p.comm;
      return {
        label,
        description: `pid ${p.pid} · ${p.user} · parent ${p.ppid}${label !== p.comm ? ` · comm ${p.comm}` : ''}`,
        detail: p.cmdline || `[${p.comm}]`,
        process: p,
      };
    });
}

/** The program's file name from a command line ("/usr/bin/node app.js" -> "node", "C:\\bin\\node.exe app.js" -> "node.exe"), if it has one. */
function programName(cmdline: string): string | undefined {
  if (!cmdline || cmdline.startsWith('[')) return undefined;
  const argv0 = cmdline.split(' ')[0];
  const base = argv0.slice(Math.max(argv0.lastIndexOf('/'), argv0.lastIndexOf('\\')) + 1).replace(/:$/, '');
  return base || undefined;
}

/** The message for a failed attach: a pid that exited meanwhile gets its own clear sentence. */
export function attachErrorMessage(pid: number, comm: string, err: unknown): string {
  if (isAgentError(err, ErrorCodes.NoSuchProcess)) {
    return `Process ${pid} (${comm}) is no longer running: it exited after the list was read. Pick a running process.`;
  }
  if (isAgentError(err, ErrorCodes.PermissionDenied)) {
    return `Runtime Lens may not trace process ${pid} (${comm}): ${err.message}`;
  }
  return `Runtime Lens could not attach to process ${pid} (${comm}): ${(err as Error).message}`;
}

/**
 * "Runtime Lens: Attach to Process…": a searchable pick of the agent's process
 * list (pid, user, command line); a process that exited in the meantime gives
 * a clear error with a "Pick Again" action.
 */
export class AttachProcessPicker {
  constructor(private readonly options: AttachProcessOptions) {}

  /** Resolves true when a session started, false when cancelled or failed (the error was shown). */
  async pick(): Promise<boolean> {
    const { ui } = this.options;
    let listError: Error | undefined;
    const items = this.options.listProcesses().then(
      (list) => processPickItems(list, this.options.hiddenPids()),
      (err: Error) => {
        listError = err;
        return [] as ProcessPickItem[];
      },
    );
    const picked = await ui.showQuickPick(items, {
      title: 'Runtime Lens: Attach to Process',
      placeHolder: 'Type a name, pid, user or part of the command line',
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: false,
    });
    if (listError) {
      await ui.showErrorMessage(`Runtime Lens could not list processes: ${listError.message}`);
      return false;
    }
    if (!picked) return false;
    return this.attach(picked.process.pid, picked.label, picked.process.cmdline);
  }

  /** Attaches to a pid directly (a command argument, or the picked row); a bare pid is named from the process list. */
  async attach(pid: number, comm?: string, cmdline?: string): Promise<boolean> {
    if (!Number.isInteger(pid) || pid <= 0) {
      await this.options.ui.showErrorMessage(`Runtime Lens: "${pid}" is not a process id; expected a positive integer.`);
      return false;
    }
    if (comm === undefined) {
      // only a label: when the list cannot be read, the start itself says what is wrong
      const known = await this.options.listProcesses().then((list) => list.find((p) => p.pid === pid), () => undefined);
      if (known) {
        comm = processPickItems([known])[0].label;
        cmdline = known.cmdline;
      }
    }
    comm ??= `pid ${pid}`;
    try {
      await this.options.run(pid, comm, cmdline);
      return true;
    } catch (err) {
      const choice = await this.options.ui.showErrorMessage(attachErrorMessage(pid, comm, (err as { cause?: unknown }).cause ?? err), PICK_AGAIN);
      if (choice === PICK_AGAIN) return this.pick();
      return false;
    }
  }
}
