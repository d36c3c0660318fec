/*
 * `runtime-lens trace`: runs one session and prints its events (human lines
 * or NDJSON) on stdout, the summary on stderr, and exits with the traced
 * command's status. Ctrl-C stops the probe cleanly; nothing captured is lost.
 */
import { writeFileSync, writeSync } from 'node:fs';
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
import { takeHostArg } from '../backend/remote/host-args';
import { RemoteHost } from '../backend/remote/remote-host';
import { atLeast, parsePriority, PRIORITIES, type Priority } from '../model/priority';
import type { FindingEvent } from '../protocol';
import { findingsSink } from '../rules/findings-sink';
import { problemLine } from '../rules/problems';
import { sarifLog } from '../rules/sarif';
import { sessionRules } from '../rules/session-rules';
import { driftAgainst } from '../baseline/drift-option';

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
  /** rule files (--rules), after the developer ruleset unless --no-default-rules */
  rules: string[];
  defaultRules: boolean;
  /** exit non-zero when a finding at or above this priority occurred */
  failOn?: Priority;
  /** where to write the findings as SARIF 2.1.0 */
  sarif?: string;
  /** a behaviour profile (baseline record): what the run does beyond it becomes findings */
  baseline?: string;
  /** trace on this remote host over ssh */
  host?: string;
  sshOptions: string[];
}

export const TRACE_USAGE = `usage: runtime-lens trace [--json] [--events ${EVENT_GROUPS.join(',')}] [--syscalls read,write,...]
                          [--ringbuf-bytes N] [--stacks [--stack-bytes N]] [--no-redact]
                          [--rules FILE]... [--no-default-rules] [--fail-on PRIORITY] [--sarif FILE] [--baseline FILE]
                          [--host [user@]host[:port] [--ssh-option OPT]...]
                          (--pid PID | -- COMMAND [ARGS...])`;

/** A command-line mistake: printed with the usage, exit status 2. */
export class UsageError extends Error {}

function parseList(flag: string, value: string | undefined): string[] {
  if (!value) throw new UsageError(`${flag} needs a value`);
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Parses `trace` arguments; throws UsageError naming the bad argument. */
export function parseTraceArgs(argv: readonly string[]): TraceArgs {
  const out: TraceArgs = { json: false, events: [...DEFAULT_EVENT_GROUPS], redact: true, rules: [], defaultRules: true, sshOptions: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const used = a === '--' ? 0 : takeHostArg(argv, i, out, (m) => new UsageError(m));
    if (used) { i += used - 1; continue; }
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--json': out.json = true; break;
      case '--no-redact': out.redact = false; break;
      case '--stacks': out.stacks = true; break;
      case '--no-default-rules': out.defaultRules = false; break;
      case '--rules': {
        const v = value();
        if (!v) throw new UsageError('--rules needs a rules file (Falco YAML)');
        out.rules.push(v);
        break;
      }
      case '--fail-on': {
        const v = value();
        const p = v ? parsePriority(v) : undefined;
        if (!p) throw new UsageError(`--fail-on: '${v ?? ''}' is not a priority; choose from ${PRIORITIES.join(', ')}`);
        out.failOn = p;
        break;
      }
      case '--sarif': {
        const v = value();
        if (!v) throw new UsageError('--sarif needs the file to write');
        out.sarif = v;
        break;
      }

      case '--baseline': {
        const v = value();
        if (!v || v === '--') throw new UsageError('--baseline needs the file baseline record wrote');
        out.baseline = v;
        break;
      }
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
  if (out.sshOptions.length && !out.host) throw new UsageError('--ssh-option needs --host');
  if ((out.failOn || out.sarif) && !out.defaultRules && !out.rules.length) throw new UsageError(`${out.failOn ? '--fail-on' : '--sarif'} needs rules: give --rules FILE or leave the default rules on`);
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

/** Exit status of `trace` when a finding at or above --fail-on occurred. */
export const FAIL_ON_STATUS = 3;
/** Exit status of `trace` when a rules file has errors. */
export const RULES_ERROR_STATUS = 2;

/** Runs `trace` and returns the exit status. */
export async function traceCommand(argv: readonly string[], extra: TraceExtras = {}): Promise<number> {
  const parsed = parseTraceArgs(argv);
  const args = extra.args ? extra.args(parsed) : parsed;
  const counts = new EventCounts();
  const rules = sessionRules({ files: args.rules, defaults: args.defaultRules });
  for (const p of rules.errors) writeAll(2, `runtime-lens: ${problemLine(p)}\n`);
  if (rules.errors.some((p) => p.severity === 'error')) {
    writeAll(2, `runtime-lens: the rules files have errors (above): fix them, or leave the rule out\n`);
    return RULES_ERROR_STATUS;
  }
  const findings: FindingEvent[] = [];
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
  const ended: ((summary: SyscallSummaryRow[]) => void)[] = [];
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
  let remote: RemoteHost | undefined;
  try {
    const drift = args.baseline ? driftAgainst(args.baseline, args, warn) : undefined;
    if (args.host) {
      remote = new RemoteHost(args.host, args.sshOptions, { progress: (m) => warn(m) });
      await remote.connect({ watch: false });
    }
    const output = extra.quiet ? eventSink((events) => counts.add(events)) : args.json ? ndjsonSink(lines) : eventSink(print);
    const collect = args.failOn || args.sarif ? [findingsSink((f) => findings.push(f))] : [];
    session = await startTrace(drift?.args ?? args, [output, ...extra.sinks ?? [], ...collect], {
      state: () => {},
      warning: warn,
      sysagg: (rows) => { sysagg = rows; },
    }, rules.compiled, drift?.stages, remote?.backend);
    ended.push((summary) => drift?.ended(summary));
    if (interrupts) session.stop();
  } catch (e) {
    remote?.detach();
    if (e instanceof SessionError) {
      warn(`${e.message}${e.fixes.length ? '\n  fix: ' + fixesText(e.fixes, '\n  fix: ') : ''}`);
      writeAll(2, summaryLine(counts, 0) + '\n');
      return e.code === ErrorCodes.CommandNotFound ? 127 : 1;
    }
    throw e;
  }
  const result: SessionResult = await session.done;
  remote?.detach();
  const extras: string[] = [];
  if (result.malformed) extras.push(`malformed=${result.malformed}`);
  if (result.state === 'failed') warn(result.message ?? 'trace failed');
  if (result.state === 'disconnected') warn(`${result.message}; the events received until then are above, later ones (how many is not known) were missed`);
  const e = session.enrichment;
  const summary = syscallSummaryRows(sysagg, (nr) => e?.syscallName(nr) ?? `syscall_${nr}`, (pid, startNs) => e?.processes.commOf(pid, startNs) ?? '');
  if (args.events.includes('syscount') && !extra.quiet) writeAll(2, syscountTable(summary));
  for (const f of ended) f(summary);
  extra.ended?.({ summary, arch: e?.arch, result });
  writeAll(2, summaryLine(counts, result.lostTotal, extras, result.lostBound, result.lostReasons, result.lostByKind) + '\n');
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
  const status = result.state === 'exited' ? result.exitCode ?? 0 : result.state === 'stopped' ? (interrupts ? 130 : 0) : 1;
  if (args.sarif) {
    writeFileSync(args.sarif, JSON.stringify(sarifLog(rules.rules, findings, { baseDir: process.cwd(), commandLine: args.command?.join(' '), exitCode: status }), null, 2) + '\n');
  }
  if (args.failOn) {
    const failing = findings.filter((f) => atLeast(f.priority, args.failOn!));
    if (failing.length) {
      const rulesHit = [...new Set(failing.map((f) => f.rule))];
      warn(`${failing.length} finding${failing.length > 1 ? 's' : ''} at or above ${args.failOn} (${rulesHit.join(', ')}): exit status ${FAIL_ON_STATUS}`);
      return FAIL_ON_STATUS;
    }
  }
  return status;
}
