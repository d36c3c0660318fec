/*
 * JSON-RPC message reader for untrusted input: Content-Length framing like
 * vscode-jsonrpc's StreamMessageReader, but a malformed header, bad JSON, a
 * non-JSON-RPC value or an oversized message (checked from the header, before
 * any of the body is buffered) is answered with an error and skipped, and the
 * reader keeps serving the messages after it.
 */
import type { Readable } from 'node:stream';
import { AbstractMessageReader, Disposable, type DataCallback, type Message } from 'vscode-jsonrpc';
import { ErrorCodes } from '../protocol';

/** Largest message body accepted (bytes). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** A header block longer than this without its blank line is malformed. */
const MAX_HEADER_BYTES = 8 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

/** Called for input that cannot be delivered: the server answers with this error (id null unless known). */
export type ProtocolErrorHandler = (id: number | string | null, code: number, message: string) => void;

/** Framing reader over a Node stream that survives bad input. */
export class SafeMessageReader extends AbstractMessageReader {
  private chunks: Buffer[] = [];
  private total = 0;
  private bodyLength = -1;
  private skipRemaining = 0;
  private callback: DataCallback | undefined;

  constructor(private readonly readable: Readable, private readonly onProtocolError: ProtocolErrorHandler, private readonly maxBytes = MAX_MESSAGE_BYTES) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (d: Buffer) => this.onData(d);
    const onEnd = () => this.fireClose();
    const onError = (e: Error) => this.fireError(e);
    this.readable.on('data', onData);
    this.readable.on('end', onEnd);
    this.readable.on('close', onEnd);
    this.readable.on('error', onError);
    return Disposable.create(() => {
      this.callback = undefined;
      this.readable.off('data', onData);
      this.readable.off('end', onEnd);
      this.readable.off('close', onEnd);
      this.readable.off('error', onError);
    });
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.total);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.total = rest.length;
    return out;
  }

  private onData(chunk: Buffer): void {
    if (this.skipRemaining) {
      const skip = Math.min(this.skipRemaining, chunk.length);
      this.skipRemaining -= skip;
      chunk = chunk.subarray(skip);
      if (!chunk.length) return;
    }
    this.chunks.push(chunk);
    this.total += chunk.length;
    for (;;) {
      if (this.bodyLength < 0) {
        if (!this.readHeader()) return;
        if (this.skipRemaining) return;
      }
      if (this.total < this.bodyLength) return;
      const body = this.take(this.bodyLength);
      this.bodyLength = -1;
      this.deliver(body);
    }
  }

  /** Parses one header block if complete. Returns false when more input is needed. */
  private readHeader(): boolean {
    const head = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.total);
    this.chunks = [head];
    const end = head.indexOf(HEADER_END);
    if (end < 0) {
      if (head.length > MAX_HEADER_BYTES) {
        this.take(head.length);
        this.onProtocolError(null, ErrorCodes.ParseError, `malformed message: no end of header within ${MAX_HEADER_BYTES} bytes; expected "Content-Length: N\\r\\n\\r\\n" before each JSON body`);
      }
      return false;
    }
    const text = this.take(end + HEADER_END.length).subarray(0, end).toString('ascii');
    let length = -1;
    let bad = '';
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) { bad = `header line ${JSON.stringify(line.slice(0, 80))} is not "Name: value"`; break; }
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) { bad = `Content-Length ${JSON.stringify(value.slice(0, 40))} is not a number`; break; }
        length = Number(value);
      } else if (name === 'content-type' && !/utf-?8|^application\/vscode-jsonrpc\s*$/i.test(value)) {
        bad = `Content-Type ${JSON.stringify(value.slice(0, 80))} is not supported; use utf-8`;
        break;
      }
    }
    if (!bad && length < 0) bad = 'header has no Content-Length';
    if (bad) {
      this.onProtocolError(null, ErrorCodes.ParseError, `malformed message: ${bad}`);
      return true; // header consumed; look for the next one
    }
    if (length > this.maxBytes) {
      const buffered = Math.min(this.total, length);
      this.take(buffered);
      this.skipRemaining = length - buffered;
      this.onProtocolError(null, ErrorCodes.MessageTooLarge,
        `message of ${length} bytes exceeds the agent's limit of ${this.maxBytes} bytes; it was skipped`);
      return true;
    }
    this.bodyLength = length;
    return true;
  }

  private deliver(body: Buffer): void {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (e) {
      this.onProtocolError(null, ErrorCodes.ParseError, `malformed message: body is not valid JSON (${(e as Error).message})`);
      return;
    }
    const msg = value as Record<string, unknown> | null;
    const id = msg && typeof msg === 'object' && (typeof msg.id === 'number' || typeof msg.id === 'string') ? msg.id : null;
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
      this.onProtocolError(null, ErrorCodes.InvalidRequest, 'invalid request: a message must be a JSON object (batches are not supported)');
      return;
    }
    if (msg.jsonrpc !== '2.0') {
      this.onProtocolError(id, ErrorCodes.InvalidRequest, 'invalid request: "jsonrpc" must be "2.0"');
      return;
    }
    if ('method' in msg && typeof msg.method !== 'string') {
      this.onProtocolError(id, ErrorCodes.InvalidRequest, 'invalid request: "method" must be a string');
      return;
    }
    if (!('method' in msg) && !('result' in msg) && !('error' in msg)) {
      this.onProtocolError(id, ErrorCodes.InvalidRequest, 'invalid request: no "method"');
      return;
    }
    if ('params' in msg && (msg.params === null || typeof msg.params !== 'object' || Array.isArray(msg.params))) {
      // Every method of this protocol takes named params; positional (array) params would reach handlers shifted.
      this.onProtocolError(id, ErrorCodes.InvalidParams, `invalid params: params must be an object, got ${Array.isArray(msg.params) ? 'an array' : msg.params === null ? 'null' : typeof msg.params}`);
      return;
    }
    this.callback?.(msg as unknown as Message);
  }
}
