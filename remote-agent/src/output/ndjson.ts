/*
 * NDJSON output of `runtime-lens trace --json`: one event object per line,
 * exactly the event model of protocol.ts (ARCHITECTURE.md's contract).
 */
import type { LensEvent } from '../protocol';

/** One event as one line, newline-terminated. */
export function ndjsonLine(ev: LensEvent): string {
  return JSON.stringify(ev) + '\n';
}

/** A batch of events as NDJSON text. */
export function ndjsonLines(events: readonly LensEvent[]): string {
  let s = '';
  for (const ev of events) s += JSON.stringify(ev) + '\n';
  return s;
}
