// A Debug Adapter Protocol client over a real adapter's stdio, as VS Code drives one: every request
// it sends and every message it gets also go to an adapter tracker (the extension's, under test).
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './procs';

export interface DapMessage { seq: number; type: string; command?: string; event?: string; success?: boolean; message?: string; body?: Record<string, unknown>; request_seq?: number }

/** What VS Code calls on a DebugAdapterTracker. */
export interface Tracker {
  onWillReceiveMessage(m: unknown): void;
  onDidSendMessage(m: unknown): void;
}

export class DapClient {
  readonly child: ChildProcess;
  readonly received: DapMessage[] = [];
  stderr = '';
  private buffer = Buffer.alloc(0);
  private seq = 1;
  tracker: Tracker | undefined;

  constructor(command: string, args: string[]) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.child.stdout!.on('data', (chunk: Buffer) => this.data(chunk));
  }

  /** Sends a request (through the tracker first) and resolves with its response. */
  async request(command: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<DapMessage> {
    const seq = this.seq++;
    const message = { seq, type: 'request', command, arguments: args };
    this.tracker?.onWillReceiveMessage(message);
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
    const response = await waitFor(`the response to ${command}`, () => this.received.find((m) => m.type === 'response' && m.request_seq === seq), timeoutMs);
    if (!response.success) throw new Error(`${command} failed: ${response.message ?? JSON.stringify(response.body)}`);
    return response;
  }

  /** The `n`th event named `name` (1-based), waiting for it. */
  event(name: string, n = 1, timeoutMs = 30_000): Promise<DapMessage> {
    return waitFor(`DAP event ${name} #${n}`, () => this.received.filter((m) => m.type === 'event' && m.event === name)[n - 1], timeoutMs);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  private data(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length:\s*(\d+)/i.exec(this.buffer.subarray(0, end).toString('ascii'))?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const m = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8')) as DapMessage;
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.received.push(m);
      this.tracker?.onDidSendMessage(m);
    }
  }
}
