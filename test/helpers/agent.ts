// Starts a real `runtime-lens agent --stdio` process and talks JSON-RPC to it,
// either through vscode-jsonrpc or with raw frames (to send malformed input).
import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { CLI_ENTRY, REPO_ROOT } from './paths';
import { waitFor } from './procs';

/** An agent process with its stderr collected. */
export class AgentProcess {
  readonly child: ChildProcess;
  stderr = '';
  readonly exited: Promise<number | null>;

  /**
   * @param asUser a command prefix that runs the agent as another user (e.g. AS_NOBODY); its cwd is then /
   * @param args more agent arguments (e.g. --host and --ssh-option)
   */
  constructor(env: NodeJS.ProcessEnv = {}, asUser: string[] = [], args: string[] = []) {
    const argv = [...asUser, process.execPath, CLI_ENTRY, 'agent', '--stdio', ...args];
    this.child = spawn(argv[0], argv.slice(1), {
      cwd: asUser.length ? '/' : REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => this.child.on('close', (code) => {
      agents.delete(this);
      resolve(code);
    }));
    agents.add(this);
  }

  /** A vscode-jsonrpc connection over the agent's stdio, already listening. */
  connect(): MessageConnection {
    const connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    connection.listen();
    return connection;
  }

  /** Ends the agent: stdin closed, then SIGTERM, then SIGKILL to its group. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    const term = setTimeout(() => this.child.kill('SIGTERM'), graceMs / 2);
    const kill = setTimeout(() => {
      try {
        process.kill(-this.child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, graceMs);
    await this.exited;
    clearTimeout(term);
    clearTimeout(kill);
  }
}

/** Reads Content-Length framed JSON messages from a stream, for tests that bypass vscode-jsonrpc. */
export class RawFrames {
  private buffer = Buffer.alloc(0);
  readonly messages: Array<Record<string, unknown>> = [];

  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/Content-Length:\s*(\d+)/i.exec(this.buffer.subarray(0, end).toString('ascii'))?.[1]);
        if (!Number.isFinite(length)) throw new Error(`agent sent a frame without Content-Length: ${this.buffer.subarray(0, end)}`);
        if (this.buffer.length < end + 4 + length) return;
        this.messages.push(JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8')));
        this.buffer = this.buffer.subarray(end + 4 + length);
      }
    });
  }

  /** The first message matching `pred`, waiting for it. */
  next(what: string, pred: (m: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return waitFor(what, () => this.messages.find(pred), timeoutMs);
  }
}

/** One Content-Length frame around `body` (any bytes, valid JSON or not). */
export function frame(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
}

const agents = new Set<AgentProcess>();

/** Stops every agent a test left running (root hook). */
export async function stopAllAgents(): Promise<void> {
  await Promise.all([...agents].map((a) => a.stop()));
}
