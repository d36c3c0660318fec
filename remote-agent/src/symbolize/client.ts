/*
 * The agent's side of lens-symbolize: one helper process per client, requests
 * pipelined (the helper answers each in order, so answers are matched by id),
 * the helper restarted on the next request after it dies. The helper runs as
 * the agent's user: it sees only the processes that user may inspect.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { AnswerSplitter, decodeAnswer, encodeForget, encodeUnwind, type Answer, type UnwindRequest } from './wire';

export interface SymbolizerOptions {
  /** the lens-symbolize binary (locateSymbolizer()) */
  binary: string;
  /** extra helper arguments (--debuginfo-path, --max-processes, --max-symbols) */
  args?: string[];
}

interface Pending {
  child: ChildProcessWithoutNullStreams;
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
}

/** Sends stack snapshots to the helper and resolves with its answers. */
export class Symbolizer {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = '';
  /** requests are corked until the next turn of the event loop: one writev for many events */
  private corked = false;

  constructor(private readonly options: SymbolizerOptions) {}

  /** Unwinds and symbolizes one snapshot (the id in req is replaced by the client's own). */
  unwind(req: Omit<UnwindRequest, 'id'>): Promise<Answer> {
    const id = this.takeId();
    return this.send(id, ...encodeUnwind({ ...req, id }));
  }

  /** The process exited: the helper drops what it cached for it. */
  async forget(pid: number, start: bigint): Promise<void> {
    const id = this.takeId();
    await this.send(id, encodeForget(id, pid, start));
  }

  /** Starts the helper now rather than at the first request (one reached over ssh takes a while to start). */
  warm(): void {
    this.child ??= this.start();
  }

  /** The running helper's pid (for resource accounting), if one is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Ends the helper; pending requests fail. */
  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    return id;
  }

  private send(id: number, ...pieces: Uint8Array[]): Promise<Answer> {
    const child = this.child ?? this.start();
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { child, resolve, reject });
      if (!this.corked) {
        this.corked = true;
        child.stdin.cork();
        setImmediate(() => {
          this.corked = false;
          child.stdin.uncork();
        });
      }
      for (const piece of pieces) if (piece.length) child.stdin.write(piece);
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(this.options.binary, this.options.args ?? [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const splitter = new AnswerSplitter();
    this.stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (const body of splitter.push(chunk)) this.settle(decodeAnswer(body));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    child.stdin.on('error', () => { /* reported by 'exit' below */ });
    child.on('error', (err) => this.fail(child, `lens-symbolize could not run (${this.options.binary}): ${err.message}`));
    child.on('exit', (code, signal) => {
      this.fail(child, `lens-symbolize ended (${signal ?? `exit ${code}`})${this.stderr ? ': ' + this.stderr.trim() : ''}; the next request restarts it`);
    });
    this.child = child;
    return child;
  }

  private settle(a: Answer): void {
    const p = this.pending.get(a.id);
    if (p) {
      this.pending.delete(a.id);
      p.resolve(a);
    } else if (a.id === 0 && a.error) {
      // a stream error answer: the helper is about to exit, which fails the rest
      this.stderr = a.error;
    }
  }

  private fail(child: ChildProcessWithoutNullStreams, message: string): void {
    if (this.child === child) this.child = undefined;
    const err = new Error(message);
    for (const [id, p] of this.pending) {
      if (p.child !== child) continue;
      this.pending.delete(id);
      p.reject(err);
    }
  }
}
