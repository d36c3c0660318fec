import { Emitter } from 'vscode-jsonrpc';
import type * as vscode from 'vscode';
import type { TraceInputBox } from '../../../../extension/src/commands/traceCommand';

/** An input box that behaves like VS Code's (events, validationMessage), driven by the test. */
export class FakeInputBox implements TraceInputBox {
  title: string | undefined;
  prompt: string | undefined;
  placeholder: string | undefined;
  value = '';
  valueSelection: readonly [number, number] | undefined;
  validationMessage: string | vscode.InputBoxValidationMessage | undefined;
  busy = false;
  enabled = true;
  ignoreFocusOut = false;
  buttons: readonly vscode.QuickInputButton[] = [];
  visible = false;
  disposed = false;
  private readonly accept = new Emitter<void>();
  private readonly hideEmitter = new Emitter<void>();
  private readonly change = new Emitter<string>();
  private readonly button = new Emitter<vscode.QuickInputButton>();
  readonly onDidAccept = this.accept.event as vscode.Event<void>;
  readonly onDidHide = this.hideEmitter.event as vscode.Event<void>;
  readonly onDidChangeValue = this.change.event as vscode.Event<string>;
  readonly onDidTriggerButton = this.button.event as vscode.Event<vscode.QuickInputButton>;
  private shownEmitter = new Emitter<void>();
  readonly onShown = this.shownEmitter.event;

  show(): void {
    this.visible = true;
    this.shownEmitter.fire();
  }
  hide(): void {
    if (!this.visible) return;
    this.visible = false;
    this.hideEmitter.fire();
  }
  dispose(): void {
    this.disposed = true;
    this.hide();
  }
  /** the user types `text` (replacing the value) */
  type(text: string): void {
    this.value = text;
    this.change.fire(text);
  }
  /** the user presses Enter; resolves when the box is idle again */
  async pressEnter(): Promise<void> {
    this.accept.fire();
    await new Promise((r) => setImmediate(r));
    while (this.busy && !this.disposed) await new Promise((r) => setImmediate(r));
  }
  clickButton(): void {
    this.button.fire(this.buttons[0]);
  }
  get message(): string | undefined {
    return typeof this.validationMessage === 'string' ? this.validationMessage : this.validationMessage?.message;
  }
}

/** A globalState-like store. */
export class MemoryMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, defaultValue?: T): T | undefined {
    return (this.values.has(key) ? this.values.get(key) : defaultValue) as T | undefined;
  }
  update(key: string, value: unknown): Thenable<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
}
