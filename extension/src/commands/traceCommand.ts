import type * as vscode from 'vscode';
import { validateCommandLine } from './commandLine';

/** The parts of a vscode.InputBox the prompt uses (a fake in tests). */
export type TraceInputBox = Pick<vscode.InputBox,
  'title' | 'prompt' | 'placeholder' | 'value' | 'valueSelection' | 'validationMessage' | 'busy' | 'enabled' | 'buttons' | 'ignoreFocusOut'
  | 'onDidAccept' | 'onDidHide' | 'onDidChangeValue' | 'onDidTriggerButton' | 'show' | 'hide' | 'dispose'>;

/** The slice of the vscode API "Trace Command…" needs. */
export interface TraceCommandUi {
  createInputBox(): TraceInputBox;
  showQuickPick(items: string[], options: vscode.QuickPickOptions): Thenable<string | undefined>;
  showErrorMessage(message: string): Thenable<unknown>;
}

/** A small persistent store (context.globalState). */
export type HistoryStore = Pick<vscode.Memento, 'get' | 'update'>;

export interface TraceCommandOptions {
  ui: TraceCommandUi;
  history: HistoryStore;
  /** the first workspace folder's path, if a folder is open */
  workspaceFolder: () => string | undefined;
  /** used when no folder is open */
  homeDirectory: string;
  /** the history button (a ThemeIcon button; injected because ThemeIcon is a vscode class) */
  historyButton?: vscode.QuickInputButton;
  /** PATH to check commands against (defaults to the extension host's) */
  envPath?: string;
  /** starts tracing; throws an Error whose message is shown in the input box */
  run: (argv: string[], cwd: string | undefined, text: string) => Promise<void>;
  /** the remote host the command runs on: in its user's home folder, not checked against this machine's PATH */
  host?: string;
}

export const HISTORY_KEY = 'runtimeLens.traceHistory';
export const HISTORY_MAX = 20;

/**
 * "Runtime Lens: Trace Command…": an input box prefilled with the last command,
 * with a history button; the command is checked (empty, quoting, shell syntax,
 * not found) and started in place, so every problem, including the agent's own
 * refusal, is shown under the input instead of after it closed.
 */
export class TraceCommandPrompt {
  constructor(private readonly options: TraceCommandOptions) {}

  /** each host keeps its own previous commands */
  private get historyKey(): string {
    return this.options.host ? `${HISTORY_KEY}:${this.options.host}` : HISTORY_KEY;
  }

  history(): string[] {
    const value = this.options.history.get<unknown>(this.historyKey);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  private async remember(text: string): Promise<void> {
    const next = [text, ...this.history().filter((h) => h !== text)].slice(0, HISTORY_MAX);
    await this.options.history.update(this.historyKey, next);
  }

  /** The folder commands run in; undefined on a remote host (its agent starts them in the user's home folder). */
  cwd(): string | undefined {
    if (this.options.host) return undefined;
    return this.options.workspaceFolder() ?? this.options.homeDirectory;
  }

  /** Shows the prompt; resolves true when a session started, false when the user cancelled. */
  prompt(initial?: string): Promise<boolean> {
    const { ui } = this.options;
    const cwd = this.cwd();
    const history = this.history();
    const box = ui.createInputBox();
    const host = this.options.host;
    box.title = host ? `Runtime Lens: Trace Command on ${host}` : 'Runtime Lens: Trace Command';
    box.prompt = `Command to launch and trace, with its arguments (runs ${host ? `on ${host}, in its user's home folder` : `in ${cwd}`}; not through a shell)`;
    box.placeholder = 'e.g. python3 app.py --port 8080';
    box.value = initial ?? history[0] ?? '';
    box.valueSelection = [0, box.value.length];
    box.ignoreFocusOut = true;
    if (history.length > 0 && this.options.historyButton) box.buttons = [this.options.historyButton];
    return new Promise<boolean>((resolve) => {
      let settled = false;
      let starting = false;
      let pickingHistory = false;
      let hidden = false;
      const showError = (message: string) => {
        if (hidden) void ui.showErrorMessage(message);
        else box.validationMessage = message;
      };
      const finish = (started: boolean) => {
        if (settled) return;
        settled = true;
        subs.forEach((s) => s.dispose());
        box.dispose();
        resolve(started);
      };
      const subs = [
        box.onDidChangeValue(() => {
          if (!starting) box.validationMessage = undefined;
        }),
        box.onDidTriggerButton(async () => {
          pickingHistory = true;
          const picked = await ui.showQuickPick(this.history(), { title: 'Runtime Lens: previous commands', placeHolder: 'Pick a command to edit or run' });
          if (picked !== undefined) {
            box.value = picked;
            box.validationMessage = undefined;
          }
          pickingHistory = false;
          hidden = false;
          box.show();
        }),
        box.onDidAccept(async () => {
          if (starting) return;
          starting = true;
          box.busy = true;
          box.enabled = false;
          const text = box.value;
          try {
            const checked = await validateCommandLine(text, cwd, this.options.envPath);
            if ('message' in checked) {
              showError(checked.message);
              return;
            }
            await this.options.run(checked.argv, cwd, text.trim());
            await this.remember(text.trim());
            finish(true);
          } catch (err) {
            showError((err as Error).message);
          } finally {
            starting = false;
            if (hidden) finish(false);
            if (!settled) {
              box.busy = false;
              box.enabled = true;
            }
          }
        }),
        box.onDidHide(() => {
          if (pickingHistory) return;
          hidden = true;
          if (!starting) finish(false);
        }),
      ];
      box.show();
    });
  }
}
