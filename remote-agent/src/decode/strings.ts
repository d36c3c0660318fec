/*
 * Names from records as text, byte-exact. Kernel names (paths, argv, comm)
 * are bytes, not always UTF-8. Valid UTF-8 is kept as is; every byte that is
 * not part of a valid UTF-8 sequence becomes `\xNN` (two lowercase hex
 * digits) and a literal backslash becomes `\\`, as strace writes them, so the
 * text is unambiguous and unescapeName() gives back the exact bytes.
 */
import { isUtf8 } from 'node:buffer';

const BACKSLASH = 0x5c;

/** Length of the valid UTF-8 sequence at buf[i] (before end), or 0 when the byte there starts none. */
function utf8SequenceLength(buf: Buffer, i: number, end: number): number {
  const b0 = buf[i];
  let n: number;
  let lo = 0x80, hi = 0xbf; // allowed range of the second byte (no overlongs, surrogates or > U+10FFFF)
  if (b0 >= 0xc2 && b0 <= 0xdf) n = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) { n = 3; if (b0 === 0xe0) lo = 0xa0; else if (b0 === 0xed) hi = 0x9f; }
  else if (b0 >= 0xf0 && b0 <= 0xf4) { n = 4; if (b0 === 0xf0) lo = 0x90; else if (b0 === 0xf4) hi = 0x8f; }
  else return 0;
  if (i + n > end) return 0;
  const b1 = buf[i + 1];
  if (b1 < lo || b1 > hi) return 0;
  for (let k = 2; k < n; k++) if ((buf[i + k] & 0xc0) !== 0x80) return 0;
  return n;
}

function hex2(b: number): string {
  return (b < 16 ? '\\x0' : '\\x') + b.toString(16);
}

/** The bytes buf[start, end) as escaped text (see the top of this file). */
export function nameText(buf: Buffer, start: number, end: number): string {
  let plain = true; // ASCII without a backslash: the common case, one pass
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c >= 0x80 || c === BACKSLASH) { plain = false; break; }
  }
  if (plain) return buf.toString('latin1', start, end);
  const sub = buf.subarray(start, end);
  if (sub.indexOf(BACKSLASH) < 0 && isUtf8(sub)) return sub.toString('utf8');
  let out = '';
  let run = start; // start of the bytes not yet written out
  for (let i = start; i < end;) {
    const c = buf[i];
    if (c < 0x80 && c !== BACKSLASH) { i++; continue; }
    const n = c === BACKSLASH ? 0 : utf8SequenceLength(buf, i, end);
    if (n) { i += n; continue; }
    out += buf.toString('utf8', run, i) + (c === BACKSLASH ? '\\\\' : hex2(c));
    run = ++i;
  }
  return out + buf.toString('utf8', run, end);
}

/** The exact bytes of a name written by nameText(): `\\` is a backslash, `\xNN` the byte NN. */
export function unescapeName(text: string): Buffer {
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== BACKSLASH) continue;
    parts.push(Buffer.from(text.slice(run, i), 'utf8'));
    if (text[i + 1] === '\\') { parts.push(Buffer.from([BACKSLASH])); i += 1; }
    else if (text[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) { parts.push(Buffer.from([parseInt(text.slice(i + 2, i + 4), 16)])); i += 3; }
    else throw new Error(`'${text}' is not an escaped name: a backslash at ${i} is followed by neither \\ nor xNN`);
    run = i + 1;
  }
  parts.push(Buffer.from(text.slice(run), 'utf8'));
  return Buffer.concat(parts);
}

/** The string in buf[start, start+max) up to the first NUL, escaped as nameText() does. */
export function cstring(buf: Buffer, start: number, max: number): string {
  const limit = start + max;
  let end = start;
  while (end < limit && buf[end] !== 0) end++;
  if (end === start) return '';
  return nameText(buf, start, end);
}

/** Splits `len` bytes of NUL-separated strings (execve argv) into an array of escaped names. */
export function splitNulStrings(buf: Buffer, start: number, len: number): string[] {
  const out: string[] = [];
  const end = start + len;
  let s = start;
  for (let i = start; i < end; i++) {
    if (buf[i] === 0) {
      out.push(nameText(buf, s, i));
      s = i + 1;
    }
  }
  if (s < end) out.push(nameText(buf, s, end));
  return out;
}
