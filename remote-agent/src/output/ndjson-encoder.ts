/*
 * NDJSON into one reusable byte buffer, for `trace --json` (the NDJSON sink).
 * Syscall records (the full stream runs at a million a second) are written
 * field by field from their bytes in the probe's buffer: no record or event
 * object, no intermediate string per line. Every other event goes through
 * ndjson.ts. The lines are byte for byte those ndjson.ts writes for the same
 * events.
 */
import { COMM_LEN, Flag, LAYOUT } from '../decode/layout';
import { cstring } from '../decode/strings';
import type { Enricher } from '../enrich/enricher';
import type { DecodedValue, EventKind, LensEvent } from '../protocol';
import { ArgReader, argDecoder, retHex, type ArgDecoder, type DecodedSink } from '../syscalls/args';
import { errnoOfResult } from '../syscalls/errno';
import { ndjsonLine } from './ndjson';

const H = LAYOUT.lens_hdr.fields;
const SC = LAYOUT.lens_syscall_event.fields;
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** JSON string literal for `s`, as ndjson.ts writes it. */
function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x2028 || c === 0x2029) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/** What is written once per thread (while its header fields stay the same) and per syscall number, then copied. */
interface ThreadText {
  pid: number; ppid: number; uid: number; key: string; pkey: string | undefined;
  w0: number; w1: number; w2: number; w3: number; bytes: Uint8Array;
}
interface SyscallText { name: string; bytes: Uint8Array; decode: ArgDecoder | undefined; addressResult: boolean }

/** The batch handed on by take(): NDJSON bytes (valid until the next write) and events per kind. */
export interface NdjsonBatch { bytes: Buffer; counts: Partial<Record<EventKind, number>>; events: number }

/** Writes the NDJSON lines of events and in-place syscall records into a growing, reused buffer. */
export class NdjsonEncoder implements DecodedSink {
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  private syscalls = 0;
  private others: Partial<Record<EventKind, number>> = {};
  private otherCount = 0;
  private readonly threads = new Map<number, ThreadText>();
  private readonly names: Array<SyscallText | undefined> = [];
  private readonly reader = new ArgReader();
  private firstKey = true;

  constructor(private readonly enricher: Enricher) {}

  /** Bytes waiting for take(). */
  get pending(): number {
    return this.pos;
  }

  /** The lines written since the last take(); the bytes are overwritten by the next record. */
  take(): NdjsonBatch {
    const counts = this.others;
    if (this.syscalls) counts.syscall = (counts.syscall ?? 0) + this.syscalls;
    const batch = { bytes: this.buf.subarray(0, this.pos), counts, events: this.syscalls + this.otherCount };
    this.pos = 0;
    this.syscalls = 0;
    this.otherCount = 0;
    this.others = {};
    return batch;
  }

  /** An event made by the stages. */
  event(ev: LensEvent): void {
    this.others[ev.kind] = (this.others[ev.kind] ?? 0) + 1;
    this.otherCount++;
    const line = ndjsonLine(ev);
    this.ensure(line.length * 3);
    this.pos += this.buf.write(line, this.pos, 'utf8');
  }

  /** A syscall record in place at buf[o]; the enricher's tables as they are at this record. */
  syscall(buf: Buffer, dv: DataView, o: number): void {
    const e = this.enricher;
    const pid = dv.getUint32(o + H.pid, true);
    const tid = dv.getUint32(o + H.tid, true);
    const nr = dv.getUint16(o + SC.nr, true);
    const ret = dv.getInt32(o + SC.ret + 4, true) * 4294967296 + dv.getUint32(o + SC.ret, true);
    const text = this.names[nr] ?? this.nameText(nr);
    this.ensure(1024);
    this.ascii('{"ts":');
    // the same arithmetic as the enricher, so the same double and the same text
    this.ascii(String((dv.getUint32(o + H.ts_ns + 4, true) * 4294967296 + dv.getUint32(o + H.ts_ns, true)) / 1e6 + e.offsetMs));
    this.copy(this.threadText(buf, dv, o, pid, tid));
    this.copy(text.bytes);
    const a = o + SC.args;
    for (let i = 0; i < 6; i++) {
      if (i) this.buf[this.pos++] = 0x2c;
      this.hex64(dv.getUint32(a + i * 8 + 4, true), dv.getUint32(a + i * 8, true));
    }
    this.ascii('],"ret":');
    this.int(ret);
    this.ascii(',"dur_ns":');
    this.uint(dv.getUint32(o + SC.dur_ns + 4, true) * 4294967296 + dv.getUint32(o + SC.dur_ns, true));
    const reader = text.decode ? this.reader.reset(buf, a) : undefined;
    if (reader) {
      this.ascii(',"decoded":{');
      this.firstKey = true;
      text.decode!(reader, e.argCtx, pid, this);
      this.buf[this.pos++] = 0x7d;
    }
    const errno = ret < 0 ? errnoOfResult(ret) : undefined;
    if (errno) {
      this.ascii(',"errno":"');
      this.ascii(errno);
      this.buf[this.pos++] = 0x22;
    }
    if (text.addressResult) {
      const hex = retHex(text.name, ret);
      if (hex) { this.ascii(',"ret_hex":"'); this.ascii(hex); this.buf[this.pos++] = 0x22; }
    }
    const flags = dv.getUint16(o + H.flags, true);
    if (flags & Flag.NO_RETURN) this.ascii(',"noreturn":true');
    if (flags & Flag.TRUNCATED) this.ascii(',"truncated":true');
    this.buf[this.pos++] = 0x7d;
    this.buf[this.pos++] = 0x0a;
    if (this.syscalls++ === 0 && this.others.syscall === undefined) this.others.syscall = 0; // kinds keep the order they were seen in
  }

  /** `"key":` of the `decoded` object, after a comma unless it is the first. */
  private key(key: string): void {
    this.ensure(64 + key.length);
    if (!this.firstKey) this.buf[this.pos++] = 0x2c;
    this.firstKey = false;
    this.buf[this.pos++] = 0x22;
    this.ascii(key);
    this.buf[this.pos++] = 0x22;
    this.buf[this.pos++] = 0x3a;
  }

  /** DecodedSink: a pointer as `"0x…"`, the text hex64() makes. */
  setHex(key: string, hi: number, lo: number): void {
    this.key(key);
    this.hex64(hi, lo);
  }

  /** `"0x…"`: a 64-bit value in hex from its two halves, as hex64() writes it. */
  private hex64(hi: number, lo: number): void {
    const b = this.buf;
    b[this.pos++] = 0x22;
    b[this.pos++] = 0x30;
    b[this.pos++] = 0x78;
    if (hi === 0) this.hex(lo, 1);
    else { this.hex(hi, 1); this.hex(lo, 8); }
    b[this.pos++] = 0x22;
  }

  /** DecodedSink: one `"key":value` of the `decoded` object. */
  set(key: string, value: DecodedValue): void {
    this.key(key);
    if (typeof value === 'number') {
      if (Number.isInteger(value)) this.int(value);
      else this.ascii(JSON.stringify(value));
    } else if (typeof value === 'string') {
      this.string(value);
    } else {
      this.buf[this.pos++] = 0x5b;
      for (let i = 0; i < value.length; i++) {
        if (i) { this.ensure(1); this.buf[this.pos++] = 0x2c; }
        this.string(value[i]);
      }
      this.ensure(1);
      this.buf[this.pos++] = 0x5d;
    }
  }

  /** A JSON string: printable ASCII byte by byte, anything else through JSON.stringify and UTF-8. */
  private string(s: string): void {
    this.ensure(s.length + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        const t = jsonString(s);
        this.ensure(t.length * 3);
        this.pos += this.buf.write(t, this.pos, 'utf8');
        return;
      }
      b[p++] = c;
    }
    b[p++] = 0x22;
    this.pos = p;
  }

  private nameText(nr: number): SyscallText {
    const name = this.enricher.syscallName(nr);
    const t = {
      name, bytes: Buffer.from(`,"name":${jsonString(name)},"nr":${nr},"args":[`, 'utf8'), decode: argDecoder(name),
      addressResult: retHex(name, 0) !== undefined,
    };
    this.names[nr] = t;
    return t;
  }

  /**
   * `,"kind":"syscall","pid":…,"tid":…,"ppid":…,"uid":…,"comm":…,"key":…,"pkey":…"` of a record,
   * made again only when something in it changes for its thread: most lines copy it whole.
   */
  private threadText(buf: Buffer, dv: DataView, o: number, pid: number, tid: number): Uint8Array {
    const p = this.enricher.processes;
    const c = o + H.comm;
    const w0 = dv.getUint32(c, true), w1 = dv.getUint32(c + 4, true), w2 = dv.getUint32(c + 8, true), w3 = dv.getUint32(c + 12, true);
    const ppid = dv.getUint32(o + H.ppid, true), uid = dv.getUint32(o + H.uid, true);
    const key = p.keyOf(pid, dv.getUint32(o + H.start_ns + 4, true) * 4294967296 + dv.getUint32(o + H.start_ns, true));
    const pkey = p.parentKey(ppid);
    let t = this.threads.get(tid);
    if (t && t.pid === pid && t.ppid === ppid && t.uid === uid && t.key === key && t.pkey === pkey &&
      t.w0 === w0 && t.w1 === w1 && t.w2 === w2 && t.w3 === w3) return t.bytes;
    const text = `,"kind":"syscall","pid":${pid},"tid":${tid},"ppid":${ppid},"uid":${uid},"comm":${jsonString(cstring(buf, c, COMM_LEN))}` +
      `,"key":"${key}${pkey ? `","pkey":"${pkey}` : ''}"`;
    t = { pid, ppid, uid, key, pkey, w0, w1, w2, w3, bytes: Buffer.from(text, 'utf8') };
    if (this.threads.size >= 65536) this.threads.clear(); // threads come and go: bound the cache
    this.threads.set(tid, t);
    return t.bytes;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** ASCII text known to need no escaping. */
  private ascii(s: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  private copy(bytes: Uint8Array): void {
    const b = this.buf;
    let p = this.pos;
    if (bytes.length > 48) { b.set(bytes, p); this.pos = p + bytes.length; return; }
    for (let i = 0; i < bytes.length; i++) b[p++] = bytes[i];
    this.pos = p;
  }

  /** A 32-bit value in lowercase hex, at least `width` digits. */
  private hex(v: number, width: number): void {
    let digits = 1;
    while (digits < 8 && v >>> (digits * 4) !== 0) digits++;
    if (digits < width) digits = width;
    const b = this.buf;
    for (let i = digits - 1; i >= 0; i--) b[this.pos++] = HEX[(v >>> (i * 4)) & 15];
  }

  private int(n: number): void {
    if (n < 0) { this.buf[this.pos++] = 0x2d; n = -n; }
    this.uint(n);
  }

  /** A non-negative integer as JavaScript prints it. */
  private uint(n: number): void {
    if (n > MAX_SAFE) { this.ascii(String(n)); return; }
    const b = this.buf;
    if (n < 10) { b[this.pos++] = 48 + n; return; }
    let len = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
    let q = this.pos + len;
    this.pos = q;
    while (n >= 10) {
      const d = n % 10;
      b[--q] = 48 + d;
      n = (n - d) / 10;
    }
    b[q - 1] = 48 + n;
  }
}
