import type * as vscode from 'vscode';
import { Emitter } from 'vscode-jsonrpc';
import type { Session } from './session';

/** What the terminal needs from the session manager. */
export interface SessionTerminalHost {
  input(session: Session, data: Buffer): Promise<void>;
  stop(session: Session): Promise<void>;
}

/**
 * The traced program's terminal: shows its stdout/stderr and sends what the
 * user types to its stdin. The program's stdio are pipes, not a tty, so this
 * does line editing and echo itself (like a cooked tty): a line is sent on
 * Enter, Backspace edits, Ctrl+C stops the session, Ctrl+D sends the line
 * typed so far.
 */
export class SessionTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new Emitter<string>();
  private readonly closeEmitter = new Emitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event as vscode.Event<string>;
  readonly onDidClose = this.closeEmitter.event as vscode.Event<number | void>;
  private opened = false;
  private readonly backlog: string[] = [];
  private line = '';
  private readonly subscriptions: { dispose(): unknown }[] = [];
  private ended = false;

  constructor(private readonly session: Session, private readonly host: SessionTerminalHost, private readonly report: (message: string) => void) {
    this.subscriptions.push(
      session.onDidOutput(({ stream, data }) => {
        const text = data.toString('utf8').replace(/\r?\n/g, '\r\n');
        this.write(stream === 'stderr' ? `\x1b[31m${text}\x1b[0m` : text);
      }),
      session.onDidChange((s) => {
        if (s.live || this.ended) return;
        this.ended = true;
        const how = s.state === 'failed' ? `failed: ${s.message ?? 'no reason given'}` : s.state === 'disconnected' ? s.message ?? 'disconnected' : s.stateLabel();
        this.write(`\r\n\x1b[2m[Runtime Lens] ${s.title}: ${how}. Press any key to close.\x1b[0m\r\n`);
      }),
    );
  }

  open(): void {
    this.opened = true;
    this.write(`\x1b[2m[Runtime Lens] tracing ${this.session.title}\x1b[0m\r\n`);
    for (const chunk of this.backlog.splice(0)) this.writeEmitter.fire(chunk);
  }

  close(): void {
    // closing the terminal of a running program stops its session, like closing a tty would
    if (this.session.live) void this.host.stop(this.session).catch((err) => this.report(`Runtime Lens: stopping ${this.session.title} failed: ${(err as Error).message}`));
    this.dispose();
  }

  handleInput(data: string): void {
    if (this.ended) {
      this.closeEmitter.fire();
      return;
    }
    for (const ch of data) {
      if (ch === '\r') {
        this.write('\r\n');
        this.send(this.line + '\n');
        this.line = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.line.length > 0) {
          this.line = this.line.slice(0, -1);
          this.write('\b \b');
        }
      } else if (ch === '\x03') {
        this.write('^C\r\n');
        void this.host.stop(this.session).catch((err) => this.report(`Runtime Lens: stopping ${this.session.title} failed: ${(err as Error).message}`));
      } else if (ch === '\x04') {
        if (this.line) this.send(this.line);
        this.line = '';
      } else if (ch >= ' ' || ch === '\t') {
        this.line += ch;
        this.write(ch);
      }
    }
  }

  private send(text: string): void {
    this.host.input(this.session, Buffer.from(text, 'utf8')).catch((err) => {
      this.write(`\r\n\x1b[31m[Runtime Lens] input not delivered: ${(err as Error).message}\x1b[0m\r\n`);
    });
  }

  private write(text: string): void {
    if (this.opened) this.writeEmitter.fire(text);
    else this.backlog.push(text);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions.length = 0;
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
