/*
 * Text forms of socket addresses (struct lens_addr) in the event model.
 */
import type { SockAddr } from '../decode/records';

/** `1.2.3.4`, compressed IPv6 (`::1`, `::ffff:1.2.3.4`), or '' for an empty/unknown family. */
export function formatIp(a: SockAddr): string {
  const b = a.addr;
  if (a.family === 2) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (a.family !== 10 || b.length < 16) return '';
  const isMapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (isMapped) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i] << 8) | b[i + 1]);
  // longest run of zero words (length >= 2) becomes '::'
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
