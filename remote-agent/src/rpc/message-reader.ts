/*
 * JSON-RPC message reader for untrusted input: Content-Length framing like
 * vscode-jsonrpc's StreamMessageReader, but nothing the client sends can wedge
 * it. A malformed header, an absurd or oversized length (checked from the
 * header, before any of the body is buffered), a body that is not JSON or a
 * value that is not a JSON-RPC message is answered with an error. After bad
 * framing the reader resynchronises: it discards input up to the next
 * "Content-Length:" and serves the message there. Memory stays bounded by
 * MAX_MESSAGE_BYTES whatever arrives.
 */
import type { Readable } from 'node:stream';
import { AbstractMessageReader, Disposable, type DataCallback, type Message } from 'vscode-jsonrpc';
import { ErrorCodes, MAX_MESSAGE_BYTES } from '../protocol';
import { ByteQueue } from './byte-queue';

/** A header block longer than this without its blank line is malformed. */
const MAX_HEADER_BYTES = 8 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');
/** Where the reader looks for the next message after bad input. */
const RESYNC_MARK = Buffer.from('Content-Length:');

/** Called for input that cannot be delivered: the server answers with this error (id null unless known). */
export type ProtocolErrorHandler = (id: number | string | null, code: number, message: string) => void;

type Mode = 'header' | 'body' | 'resync';

/** Framing reader over a Node stream that survives bad input. */
export class SafeMessageReader extends AbstractMessageReader {
  private readonly queue = new ByteQueue();
  private mode: Mode = 'header';
  private bodyLength = 0;
  /** body bytes already searched for a header that would cut the body short */
  private scanned = 0;
  private callback: DataCallback | undefined;
  /** messages handed on (or answered with an error) so far */
  private outcomes = 0;
  /** why input is not read now: the connection is handling a message, or the server asked (hold) */
  private pumping = false;
  private held = false;
  private paused = false;

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

  private onData(chunk: Buffer): void {
    this.queue.push(chunk);
    if (!this.pumping) this.pump();
  }

  /**
   * Stops (true) or restarts (false) reading input: the server holds it while the client is not
   * reading the answers, so a client that floods requests meets backpressure instead of growing a queue.
   */
  hold(held: boolean): void {
    this.held = held;
    if (!held && !this.pumping) this.pump();
    else this.updateFlow();
  }

  /**
   * Hands on one message per event-loop turn: vscode-jsonrpc queues every message it is given and
   * handles one per turn, so delivering a whole chunk of small requests at once would grow its queue
   * without limit under a flood. Input is paused while buffered messages wait.
   */
  private pump(): void {
    this.pumping = false;
    while (!this.held) {
      const before = this.outcomes;
      if (!this.step()) break;
      if (this.outcomes !== before) {
        this.pumping = true;
        setImmediate(() => this.pump());
        break;
      }
    }
    this.updateFlow();
  }

  private updateFlow(): void {
    const pause = this.pumping || this.held;
    if (pause === this.paused) return;
    this.paused = pause;
    if (pause) this.readable.pause();
    else this.readable.resume();
  }

  /** Advances the state machine once; false when more input is needed. */
  private step(): boolean {
    switch (this.mode) {
      case 'resync': return this.resync();
      case 'header': return this.readHeader();
      case 'body': return this.readBody();
    }
  }

  /** Reports bad input and discards what follows up to the next "Content-Length:" (searched from `from` on). */
  private fail(code: number, message: string, from: number): boolean {
    this.outcomes++;
    this.queue.drop(from);
    this.mode = 'resync';
    this.onProtocolError(null, code, message);
    return true;
  }

  private resync(): boolean {
    const at = this.queue.view().indexOf(RESYNC_MARK);
    if (at >= 0) {
      this.queue.drop(at);
      this.mode = 'header';
      return true;
    }
    // keep a tail that may be the start of the mark split across chunks
    this.queue.drop(this.queue.length - Math.min(this.queue.length, RESYNC_MARK.length - 1));
    return false;
  }

  /** Parses one header block if complete. */
  private readHeader(): boolean {
    const buf = this.queue.view();
    const end = buf.subarray(0, MAX_HEADER_BYTES + HEADER_END.length).indexOf(HEADER_END);
    if (end < 0) {
      if (buf.length < MAX_HEADER_BYTES + HEADER_END.length) return false;
      return this.fail(ErrorCodes.ParseError, `malformed message: no end of header within ${MAX_HEADER_BYTES} bytes; expected "Content-Length: N\\r\\n\\r\\n" before each JSON body. ${SKIPPED}`, 1);
    }
    const header = parseHeader(buf.subarray(0, end).toString('latin1'));
    // A bad block may hide a good header after garbage: the search for the next mark starts inside it.
    if ('bad' in header) return this.fail(ErrorCodes.ParseError, `malformed message: ${header.bad}. ${SKIPPED}`, 1);
    if (header.digits.length > 15 || Number(header.digits) > this.maxBytes) {
      const size = header.digits.length > 15 ? `a ${header.digits.length}-digit number of bytes` : `${header.digits} bytes`;
      return this.fail(ErrorCodes.MessageTooLarge, `message of ${size} exceeds the agent's limit of ${this.maxBytes} bytes (MAX_MESSAGE_BYTES). ${SKIPPED}`, end + HEADER_END.length);
    }
    this.queue.drop(end + HEADER_END.length);
    this.bodyLength = Number(header.digits);
    this.scanned = 0;
    this.mode = 'body';
    return true;
  }

  private readBody(): boolean {
    const buf = this.queue.view();
    const cut = this.headerInBody(buf);
    if (cut >= 0) {
      return this.fail(ErrorCodes.ParseError, `malformed message: its Content-Length of ${this.bodyLength} bytes is more than the body sent: a new "Content-Length:" header begins after ${cut} bytes, and the message there is served`, cut);
    }
    if (buf.length < this.bodyLength) return false;
    this.mode = 'header';
    const resumeAt = this.deliver(buf.subarray(0, this.bodyLength));
    this.queue.drop(resumeAt ?? this.bodyLength);
    if (resumeAt !== undefined) this.mode = 'resync';
    return true;
  }

  /**
   * Where a header line ("Content-Length: N" + CRLF) starts inside the pending body, or -1. Valid JSON cannot
   * hold one (a raw CR is not allowed inside a string, and the bare words are not JSON), so finding one
   * proves the announced length was too long: serving the next message then beats waiting for bytes that
   * will never come.
   */
  private headerInBody(buf: Buffer): number {
    const limit = Math.min(buf.length, this.bodyLength);
    let from = this.scanned;
    for (;;) {
      const at = buf.indexOf(RESYNC_MARK, from);
      if (at < 0 || at >= limit) {
        this.scanned = Math.max(from, limit - RESYNC_MARK.length + 1, 0);
        return -1;
      }
      const line = headerValueAt(buf, at + RESYNC_MARK.length);
      if (line === true) return at;
      if (line === undefined) {
        this.scanned = at; // not all there yet: look again with more input
        return -1;
      }
      from = at + 1;
    }
  }

  /** Hands one body on; returns the offset in it to resynchronise from when it held the start of another message. */
  private deliver(body: Buffer): number | undefined {
    this.outcomes++;
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (e) {
      this.onProtocolError(null, ErrorCodes.ParseError, `malformed message: body is not valid JSON (${(e as Error).message})`);
      // A wrong Content-Length may have swallowed the next header: resynchronise from inside the body.
      // Otherwise the next header is read where this body ends (one that does not parse is answered too).
      const at = body.indexOf(RESYNC_MARK);
      return at >= 0 ? at : undefined;
    }
    const problem = invalidMessage(value);
    if (problem) this.onProtocolError(problem.id, problem.code, problem.message);
    else this.callback?.(value as Message);
    return undefined;
  }
}

const SKIPPED = 'Input is skipped up to the next "Content-Length:" header';

/** The Content-Length digits of a header block, or what is wrong with it. */
function parseHeader(text: string): { digits: string } | { bad: string } {
  let digits: string | undefined;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!/^[a-z0-9-]+$/.test(name)) return { bad: `header line ${JSON.stringify(line.slice(0, 80))} is not "Name: value"` };
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) return { bad: `Content-Length ${JSON.stringify(value.slice(0, 40))} is not a number` };
      digits = value.replace(/^0+(?=\d)/, '');
    } else if (name === 'content-type' && !/utf-?8|^application\/vscode-jsonrpc\s*$/i.test(value)) {
      return { bad: `Content-Type ${JSON.stringify(value.slice(0, 80))} is not supported; use utf-8` };
    }
  }
  return digits === undefined ? { bad: 'header has no Content-Length' } : { digits };
}

/** After "Content-Length:" at `i`: true when spaces, digits and CRLF follow, false when not, undefined when more input is needed. */
function headerValueAt(buf: Buffer, i: number): boolean | undefined {
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  const digits = i;
  while (i < buf.length && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
  if (i >= buf.length) return undefined;
  if (i === digits || buf[i] !== 0x0d) return false;
  return i + 1 >= buf.length ? undefined : buf[i + 1] === 0x0a;
}

/** What is wrong with a parsed JSON value as a JSON-RPC 2.0 message, or undefined when nothing is. */
export function invalidMessage(value: unknown): { id: number | string | null; code: number; message: string } | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { id: null, code: ErrorCodes.InvalidRequest, message: 'invalid request: a message must be a JSON object (batches are not supported)' };
  }
  const msg = value as Record<string, unknown>;
  if ('id' in msg && msg.id !== null && typeof msg.id !== 'number' && typeof msg.id !== 'string') {
    const got = Array.isArray(msg.id) ? 'an array' : typeof msg.id;
    return { id: null, code: ErrorCodes.InvalidRequest, message: `invalid request: "id" must be a string or a number, got ${got}` };
  }
  const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? msg.id : null;
  const invalid = (message: string) => ({ id, code: ErrorCodes.InvalidRequest, message: `invalid request: ${message}` });
  if (msg.jsonrpc !== '2.0') return invalid('"jsonrpc" must be "2.0"');
  if ('method' in msg && typeof msg.method !== 'string') return invalid('"method" must be a string');
  if (!('method' in msg) && !('result' in msg) && !('error' in msg)) return invalid('no "method"');
  if ('method' in msg && msg.id === null) {
    // vscode-jsonrpc would take it for neither a request nor a notification and stay silent
    return invalid('"id" null is not answered by this agent: give a request a number or string id, or leave "id" out for a notification');
  }
  if ('params' in msg && (msg.params === null || typeof msg.params !== 'object' || Array.isArray(msg.params))) {
    // Every method of this protocol takes named params; positional (array) params would reach handlers shifted.
    const got = Array.isArray(msg.params) ? 'an array' : msg.params === null ? 'null' : typeof msg.params;
    return { id, code: ErrorCodes.InvalidParams, message: `invalid params: params must be an object, got ${got}` };
  }
  return undefined;
}
