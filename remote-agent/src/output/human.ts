/*
 * The default, human-readable output of `runtime-lens trace`: one compact
 * strace-like line per event:
 *   12:00:01.234567 cat[4242] openat /etc/hosts O_RDONLY = 3
 * and with --stacks the line of the program that made the call:
 *   12:00:01.234567 app[4242] openat /etc/app.ini O_RDONLY = 3 at /src/app.c:12 (load_config)
 */
import { eventText, hasResult } from '../model/event-model';
import type { LensEvent } from '../protocol';
import { isStringArg } from '../syscalls/args';

function clock(ts: number): string {
  const d = new Date(ts);
  const us = Math.floor((ts % 1000) * 1000) % 1000000;
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(us).padStart(6, '0')}`;
}

function result(ret: number | string, errno?: string): string {
  return errno ? `= ${ret} ${errno}` : `= ${ret}`;
}

/** The one-line text of an event (no newline): time, process, what it did (event model), result. */
export function humanLine(ev: LensEvent): string {
  const who = `${clock(ev.ts)} ${ev.comm}[${ev.pid}${ev.tid !== ev.pid ? '/' + ev.tid : ''}]`;
  if (ev.kind === 'syscall') {
    const call = eventText(ev, { isStringArg });
    if (ev.noreturn) return `${who} ${call} = ?`;
    return `${who} ${call} ${result(ev.ret_hex ?? ev.ret, ev.errno)} <${(ev.dur_ns / 1e9).toFixed(6)}>`;
  }
  const verb = 'syscall' in ev ? ev.syscall : ev.kind;
  const r = ev as LensEvent & { ret?: number; errno?: string };
  return `${who} ${verb} ${eventText(ev)}${hasResult(ev.kind) && r.ret !== undefined ? ' ' + result(r.ret, r.errno) : ''}${origin(ev)}`;
}

/* With --stacks: where the event came from (its source line), or why that is not known. */
function origin(ev: LensEvent): string {
  if (ev.source) return ` at ${ev.source.file}:${ev.source.line}${ev.source.function ? ` (${ev.source.function})` : ''}`;
  if (ev.stack_error) return ` [no stack: ${ev.stack_error}]`;
  return '';
}
