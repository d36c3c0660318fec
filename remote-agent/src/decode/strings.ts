/*
 * NUL-terminated strings from fixed-size record fields.
 */

/** The string in buf[start, start+max) up to the first NUL (UTF-8; invalid bytes become U+FFFD). */
export function cstring(buf: Buffer, start: number, max: number): string {
  const limit = start + max;
  let end = start;
  while (end < limit && buf[end] !== 0) end++;
  if (end === start) return '';
  return buf.toString('utf8', start, end);
}

/** Splits `len` bytes of NUL-separated strings (execve argv) into an array. */
export function splitNulStrings(buf: Buffer, start: number, len: number): string[] {
  const out: string[] = [];
  const end = start + len;
  let s = start;
  for (let i = start; i < end; i++) {
    if (buf[i] === 0) {
      out.push(buf.toString('utf8', s, i));
      s = i + 1;
    }
  }
  if (s < end) out.push(buf.toString('utf8', s, end));
  return out;
}
