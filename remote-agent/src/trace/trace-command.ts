/*
 * `runtime-lens trace`: runs one session and prints its events (human lines
 * or NDJSON) on stdout, the summary on stderr, and exits with the traced
 * command's status. Ctrl-C stops the probe cleanly; nothing captured is lost.
 */
import { writeSync } from 'node:fs';
import { DEFAULT_EVENT_GROUPS, ErrorCodes, EVENT_GROUPS, type EventGroup, type LensEvent, type SyscallSummaryRow } from '../protocol';
import type { SinkFactory } from '../pipeline/stage';
import type { Arch } from '../syscalls/names';
import { EventCounts, summaryLine } from '../output/counts';
import { humanLine } from '../output/human';
import type { NdjsonBatch } from '../output/ndjson-encoder';
import { ndjsonSink } from '../output/ndjson-sink';
import { eventSink } from '../pipeline/event-sink';
import { syscountTable } from '../output/syscount-table';
import type { SysAggRow } from '../decode/control';
import { syscallSummaryRows } from '../output/syscall-summary';
import { STACK_MAX, STACK_MIN } from '../decode/layout';
import { fixesText, SessionError } from './errors';
import type { SessionResult, TraceSession } from './session';
import { startTrace } from './start-trace';

export interface TraceArgs {
  json: boolean;
  events: EventGroup[];
  syscalls?: string[];
  ringbufBytes?: number;
  redact: boolean;
  /** exec, file, net and dns events carry their stack (frames, source) */
  stacks?: boolean;
  /** user-stack bytes copied per event with --stacks */
  stackBytes?: number;
  pid?: number;
  command?: string[];
}

export const TRACE_USAGE = `usage: runtime-lens trace [--json] [--events ${EVENT_GROUPS.join(',')}] [--syscalls read,write,...]
                          [--ringbuf-bytes N] [--stacks [--stack-bytes N]] [--no-redact]
                          (--pid PID | -- COMMAND [ARGS...])`;

/** A command-line mistake: printed with the usage, exit status 2. */
export class UsageError extends Error {}

function parseList(flag: string, value: string | undefined): string[] {
  if (!value) throw new UsageError(`${flag} needs a value`);
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Parses `trace` arguments; throws UsageError naming the bad argument. */
export function parseTraceArgs(argv: readonly string[]): TraceArgs {
  const out: TraceArgs = { json: false, events: [...DEFAULT_EVENT_GROUPS], redact: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--json': out.json = true; break;
      case '--no-redact': out.redact = false; break;
      case '--stacks': out.stacks = true; break;
      case '--events': {
        const groups = parseList('--events', value());
        const bad = groups.filter((g) => !(EVENT_GROUPS as readonly string[]).includes(g));
        if (bad.length) throw new UsageError(`--events: unknown group ${bad.join(', ')}; choose from ${EVENT_GROUPS.join(',')}`);
        out.events = groups as EventGroup[];
        break;
      }
      case '--syscalls': {
        out.syscalls = parseList('--syscalls', value());
        if (!out.events.includes('syscall')) out.events.push('syscall');
        break;
      }
      case '--ringbuf-bytes': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 4096 || (n & (n - 1)) !== 0) throw new UsageError(`--ringbuf-bytes: '${v}' must be a power of two >= 4096`);
        out.ringbufBytes = n;
        break;
      }
      case '--stack-bytes': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < STACK_MIN || n > STACK_MAX) throw new UsageError(`--stack-bytes: '${v}' must be a number of bytes from ${STACK_MIN} to ${STACK_MAX}`);
        out.stackBytes = n;
        break;
      }
      case '--pid': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--pid: '${v}' is not a process id (a positive integer)`);
        out.pid = n;
        break;
      }
      case '--':
        out.command = argv.slice(i + 1);
        i = argv.length;
        break;
      default:
        throw new UsageError(`unknown option '${a}'${a.startsWith('-') ? '' : ' (put the command after --)'}`);
    }
  }
  if (out.stackBytes !== undefined && !out.stacks) throw new UsageError('--stack-bytes needs --stacks');
  if (out.pid !== undefined && out.command) throw new UsageError('give either --pid PID or -- COMMAND, not both');
  if (out.pid === undefined && (!out.command || out.command.length === 0)) throw new UsageError('nothing to trace: give --pid PID or -- COMMAND [ARGS...]');
  return out;
}

/** Writes all of `data` to a fd synchronously (stdout may be a pipe that is slower than the events). */
function writeAll(fd: number, data: string | Buffer): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw e;
    }
  }
}

/** How a trace ended, for a command built on it. */
export interface TraceEnd {
  /** per process and syscall (when the syscount group was traced) */
  summary: SyscallSummaryRow[];
  /** the syscall table of the traced machine */
  arch: Arch | undefined;
  result: SessionResult;
}

/** What a command built on `trace` (baseline record, seccomp record) adds to it. */
export interface TraceExtras {
  /** changes the parsed arguments (adds an event group) */
  args?(a: TraceArgs): TraceArgs;
  /** more sinks for the staged records */
  sinks?: readonly SinkFactory[];
  /** print no events, only the summary line */
  quiet?: boolean;
  /** the trace ended (not called when it could not start) */
  ended?(end: TraceEnd): void;
}

/** Runs `trace` and returns the exit status. */
export async function traceCommand(argv: readonly string[], extra: TraceExtras = {}): Promise<number> {
  const parsed = parseTraceArgs(argv);
  const args = extra.args ? extra.args(parsed) : parsed;
  const counts = new EventCounts();
  let stdoutClosed = false;
  // One blocking write per batch: a slow reader of stdout holds the probe back (its queue counts what overflows).
  const out = (bytes: Buffer) => {
    if (stdoutClosed) return;
    try {
      writeAll(1, bytes);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
      // the reader went away (`| head`): stop tracing, as a pipeline expects; the summary still goes to stderr
      stdoutClosed = true;
      session?.stop();
    }
  };
  const print = (events: LensEvent[]) => {
    counts.add(events);
    if (stdoutClosed) return;
    let text = '';
    for (const ev of events) text += humanLine(ev) + '\n';
    out(Buffer.from(text));
  };
  const lines = (batch: NdjsonBatch) => {
    counts.addCounts(batch.counts, batch.events);
    out(batch.bytes);
  };
  const warn = (m: string) => writeAll(2, `runtime-lens: ${m}\n`);
  let session: TraceSession | undefined;
  let sysagg: SysAggRow[] = [];
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (!session) return;
    if (interrupts === 1) session.stop();
    else if (interrupts === 3) { warn(`${sig} again: killing the probe`); session.kill(); }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    const output = extra.quiet ? eventSink((events) => counts.add(events)) : args.json ? ndjsonSink(lines) : eventSink(print);
    session = await startTrace(args, [output, ...extra.sinks ?? []], {
      state: () => {},
      warning: warn,
      sysagg: (rows) => { sysagg = rows; },
    });
    if (interrupts) session.stop();
  } catch (e) {
    if (e instanceof SessionError) {
      warn(`${e.message}${e.fixes.length ? '\n  fix: ' + fixesText(e.fixes, '\n  fix: ') : ''}`);
      writeAll(2, summaryLine(counts, 0) + '\n');
      return e.code === ErrorCodes.CommandNotFound ? 127 : 1;
    }
    throw e;
  }
  const result: SessionResult = await session.done;
  const extras: string[] = [];
  if (result.malformed) extras.push(`malformed=${result.malformed}`);
  if (result.state === 'failed') warn(result.message ?? 'trace failed');
  const e = session.enrichment;
  const summary = syscallSummaryRows(sysagg, (nr) => e?.syscallName(nr) ?? `syscall_${nr}`, (pid, startNs) => e?.processes.commOf(pid, startNs) ?? '');
  if (args.events.includes('syscount') && !extra.quiet) writeAll(2, syscountTable(summary));
  extra.ended?.({ summary, arch: e?.arch, result });
  writeAll(2, summaryLine(counts, result.lostTotal, extras, result.lostBound, result.lostReasons, result.lostByKind) + '\n');
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
  if (result.state === 'exited') return result.exitCode ?? 0;
  if (result.state === 'stopped') return interrupts ? 130 : 0;
  return 1;
}
