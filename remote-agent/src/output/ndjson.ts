/*
 * NDJSON output of `runtime-lens trace --json`: one event object per line,
 * exactly the event model of protocol.ts (ARCHITECTURE.md's contract).
 * Syscall events, the high-rate kind, are written by hand (about twice as
 * fast as JSON.stringify); every other kind goes through JSON.stringify.
 */
import type { LensEvent, SyscallEvent } from '../protocol';

/** Whether JSON needs escapes for `s`: quotes, backslashes, control characters, U+2028/2029. */
function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

function str(s: string): string {
  return needsEscape(s) ? JSON.stringify(s) : '"' + s + '"';
}

function syscallJson(e: SyscallEvent): string {
  let s = '{"ts":' + e.ts + ',"kind":"syscall","pid":' + e.pid + ',"tid":' + e.tid + ',"ppid":' + e.ppid + ',"uid":' + e.uid +
    ',"comm":' + str(e.comm) + ',"key":"' + e.key + (e.pkey ? '","pkey":"' + e.pkey : '') + '","name":' + str(e.name) + ',"nr":' + e.nr + ',"args":[';
  for (let i = 0; i < e.args.length; i++) s += (i ? ',"' : '"') + e.args[i] + '"';
  s += '],"ret":' + e.ret + ',"dur_ns":' + e.dur_ns;
  if (e.decoded) s += ',"decoded":' + JSON.stringify(e.decoded);
  if (e.errno) s += ',"errno":"' + e.errno + '"';
  if (e.ret_hex) s += ',"ret_hex":"' + e.ret_hex + '"';
  if (e.noreturn) s += ',"noreturn":true';
  if (e.truncated) s += ',"truncated":true';
  if (e.frames) s += ',"frames":' + JSON.stringify(e.frames);
  return s + '}';
}

/** One event as one line, newline-terminated. */
export function ndjsonLine(ev: LensEvent): string {
  return (ev.kind === 'syscall' ? syscallJson(ev) : JSON.stringify(ev)) + '\n';
}

/** A batch of events as NDJSON text. */
export function ndjsonLines(events: readonly LensEvent[]): string {
  let s = '';
  for (const ev of events) s += ev.kind === 'syscall' ? syscallJson(ev) + '\n' : JSON.stringify(ev) + '\n';
  return s;
}
