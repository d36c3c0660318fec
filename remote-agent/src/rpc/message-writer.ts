/*
 * JSON-RPC message writer that knows how much the client has not read yet.
 * Each message goes straight into the output stream (vscode-jsonrpc's writer
 * chains one promise per message, so a client that stops reading makes it hold
 * every message object, without limit). The bytes the stream still holds are
 * the queue the server bounds: above `limitBytes` it is full until the client
 * has read everything (the stream's 'drain').
 */
import type { Writable } from 'node:stream';
import { AbstractMessageWriter, Emitter, type Message, type MessageWriter } from 'vscode-jsonrpc';

/** Default bound of the output queue (bytes not yet read by the client). */
export const OUTPUT_QUEUE_BYTES = 8 * 1024 * 1024;

/** Content-Length framed writer with a bounded, observable output queue. */
export class BoundedMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private isFull = false;
  private closed = false;
  private readonly fullEmitter = new Emitter<boolean>();
  /** fires true when the queue passes its bound, false when the client has read it all */
  readonly onFullChange = this.fullEmitter.event;

  /** the bound in bytes; at least the stream's high-water mark, so that passing it always ends in a 'drain' */
  readonly limitBytes: number;

  constructor(private readonly output: Writable, limitBytes = OUTPUT_QUEUE_BYTES) {
    super();
    this.limitBytes = Math.max(limitBytes, output.writableHighWaterMark);
    output.on('error', (e: Error) => this.fireError(e));
    output.on('close', () => { this.closed = true; this.fireClose(); });
    output.on('drain', () => this.setFull(false));
  }

  /** bytes written that the client has not read yet */
  get pendingBytes(): number {
    return this.output.writableLength;
  }

  /** true from the moment the queue passed limitBytes until the client has read it all */
  get full(): boolean {
    return this.isFull;
  }

  write(msg: Message): Promise<void> {
    if (this.closed || this.output.destroyed || this.output.writableEnded) return Promise.reject(new Error('the client connection is closed'));
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.output.cork();
    this.output.write(`Content-Length: ${body.length}\r\n\r\n`, 'ascii');
    this.output.write(body);
    this.output.uncork();
    if (this.pendingBytes >= this.limitBytes) this.setFull(true);
    return Promise.resolve();
  }

  end(): void {
    this.output.end();
  }

  private setFull(full: boolean): void {
    if (full === this.isFull) return;
    this.isFull = full;
    this.fullEmitter.fire(full);
  }
}
