// Runs `runtime-lens trace --json` (and other CLI commands) as a real process and
// parses its NDJSON, with a registry of live runs so hooks can finish them.
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import type { LensEvent } from '../../remote-agent/src/protocol';
import { CLI_ENTRY, REPO_ROOT } from './paths';
import { waitFor } from './procs';

/** The stderr summary line: `kind=count` pairs and `lost=N` (`lost>=N`, `lost=unknown` when the probe died). */
export interface TraceSummary {
  line: string;
  counts: Record<string, number>;
  lost: number;
  lostBound?: 'atLeast' | 'unknown';
}

/** The event type(s) whose `kind` can be K (FsOpEvent covers several kinds, so Extract alone is not enough). */
export type EventOf<K extends LensEvent['kind'], E = LensEvent> = E extends { kind: infer EK } ? (K extends EK ? E : never) : never;

/** What a finished CLI run produced. */
export interface CliResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  events: LensEvent[];
  summary: TraceSummary | null;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** run the CLI as this user (setpriv), e.g. 'nobody' */
  user?: string;
  /** kill the run (and fail) when it takes longer; default 60 s */
  timeoutMs?: number;
  /** data written to the CLI's stdin; omitted: stdin is a pipe the test holds (see LiveRun.stdin) */
  input?: string;
  /** false: stdout is not NDJSON (a command's own output), so no events are parsed */
  ndjson?: false;
}

/**
 * Parses NDJSON strictly: every non-empty line must be a JSON object with the
 * fields every event has. A stray line (e.g. a traced program writing to the
 * same stdout) fails with the line quoted.
 */
export function parseNdjson(text: string): LensEvent[] {
  const events: LensEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`NDJSON line ${i + 1} is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
    }
    const e = value as Record<string, unknown>;
    for (const field of ['ts', 'kind', 'pid', 'tid', 'ppid', 'uid', 'comm']) {
      if (!(field in e)) throw new Error(`NDJSON line ${i + 1} lacks "${field}": ${line.slice(0, 200)}`);
    }
    events.push(value as LensEvent);
  });
  return events;
}

/** Finds the summary line (`... lost=N ...`) in the CLI's stderr. */
export function parseSummary(stderr: string): TraceSummary | null {
  const lost = /\blost(=|>=)(\d+|unknown)\b/;
  const line = stderr.split('\n').reverse().find((l) => lost.test(l));
  if (!line) return null;
  const counts: Record<string, number> = {};
  for (const [, key, value] of line.matchAll(/([a-z_]+)=(\d+)/g)) counts[key] = Number(value);
  const [, op, n] = lost.exec(line)!;
  const summary: TraceSummary = { line, counts, lost: n === 'unknown' ? 0 : Number(n) };
  if (n === 'unknown') summary.lostBound = 'unknown';
  else if (op === '>=') summary.lostBound = 'atLeast';
  return summary;
}

/** A CLI process the test talks to while it runs. */
export class LiveRun {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly done: Promise<CliResult>;
  private parsedUpTo = 0;
  private parsed: LensEvent[] = [];

  constructor(args: string[], options: CliOptions = {}) {
    const node = [process.execPath, CLI_ENTRY, ...args];
    const argv = options.user
      ? ['setpriv', `--reuid=${options.user}`, `--regid=${options.user === 'nobody' ? 'nogroup' : options.user}`, '--clear-groups', '--', ...node]
      : node;
    this.child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group: cleanup can reach the probe and the traced command too
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.child.stdin!.on('error', () => {}); // the CLI may exit before reading its input
    if (options.input !== undefined) this.child.stdin!.end(options.input);
    const timeoutMs = options.timeoutMs ?? 60_000;
    this.done = new Promise<CliResult>((resolve) => {
      const timer = setTimeout(() => {
        this.stderr += `\n[test] killed after ${timeoutMs} ms\n`;
        this.killGroup('SIGKILL');
      }, timeoutMs);
      this.child.on('close', (code, signal) => {
        clearTimeout(timer);
        live.delete(this);
        this.child.stdin!.end(); // a traced command still reading this pipe sees end of input
        resolve({ stdout: this.stdout, stderr: this.stderr, code, signal, events: options.ndjson === false ? [] : this.events(), summary: parseSummary(this.stderr) });
      });
    });
    live.add(this);
  }

  /** Events printed so far (complete lines only). */
  events(): LensEvent[] {
    const end = this.stdout.lastIndexOf('\n') + 1;
    if (end > this.parsedUpTo) {
      for (const e of parseNdjson(this.stdout.slice(this.parsedUpTo, end))) this.parsed.push(e); // no spread: a burst is 100k+ events
      this.parsedUpTo = end;
    }
    return this.parsed;
  }

  /** Resolves with the first event matching `pred`, waiting for it to be printed. */
  async waitForEvent(what: string, pred: (e: LensEvent) => boolean, timeoutMs = 15_000): Promise<LensEvent> {
    return waitFor(`${what} (stderr so far: ${this.stderr.slice(-500)})`, () => {
      const found = this.events().find(pred);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the CLI exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}; stderr: ${this.stderr.slice(-1000)}`);
      }
      return undefined;
    }, timeoutMs);
  }

  /** Writes a line to the CLI's stdin (the traced command reads it when stdio is inherited). */
  writeLine(line: string): void {
    this.child.stdin!.write(line + '\n');
  }

  /** Sends `signal` to the CLI's whole process group (CLI, probe, traced command). */
  killGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid!, signal);
    } catch {
      // already gone
    }
  }

  /** Stops the run: SIGINT to the CLI, then SIGKILL to its group if it has not exited in `graceMs`. */
  async finish(graceMs = 5_000): Promise<CliResult> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin!.end();
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.killGroup('SIGKILL'), graceMs);
      const result = await this.done;
      clearTimeout(timer);
      return result;
    }
    return this.done;
  }
}

const live = new Set<LiveRun>();

/** Starts the CLI with `args` and returns at once; the run is finished by the root hooks if the test does not. */
export function startCli(args: string[], options: CliOptions = {}): LiveRun {
  return new LiveRun(args, options);
}

/** Runs the CLI with `args` to completion. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new LiveRun(args, { input: '', ...options }).done;
}

/** `runtime-lens trace --json [traceArgs...] -- command...` to completion. */
export function trace(command: string[], traceArgs: string[] = [], options: CliOptions = {}): Promise<CliResult> {
  return runCli(['trace', '--json', ...traceArgs, '--', ...command], options);
}

/** Finishes every CLI run still going (used after each test before checking for leftovers). */
export async function finishAllRuns(): Promise<void> {
  await Promise.all([...live].map((run) => run.finish()));
}

/** Fails with the CLI's stderr when it did not exit with `code`. */
export function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `runtime-lens exited ${result.code ?? result.signal}, expected ${code}; stderr:\n${result.stderr}`);
}

/** Events of `kind` whose fields equal those given (a partial match). */
export function select<K extends LensEvent['kind']>(events: LensEvent[], kind: K, fields: Record<string, unknown> = {}): Array<EventOf<K>> {
  return events.filter(
    (e) => e.kind === kind && Object.entries(fields).every(([k, v]) => JSON.stringify((e as unknown as Record<string, unknown>)[k]) === JSON.stringify(v)),
  ) as Array<EventOf<K>>;
}

/** The one event of `kind` with these fields; fails listing similar events when there is none or several. */
export function only<K extends LensEvent['kind']>(events: LensEvent[], kind: K, fields: Record<string, unknown>): EventOf<K> {
  const found = select(events, kind, fields);
  if (found.length !== 1) {
    const sameKind = select(events, kind).slice(0, 40).map((e) => JSON.stringify(e)).join('\n');
    assert.fail(`expected exactly one ${kind} event with ${JSON.stringify(fields)}, found ${found.length}. ${kind} events:\n${sameKind}`);
  }
  return found[0];
}
