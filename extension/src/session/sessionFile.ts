import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as zlib from 'node:zlib';
import type { LensEvent, SessionState, SessionStats, SessionTarget, SyscallSummaryRow } from '../../../remote-agent/src/protocol';
import { LegacyKeys } from './legacyKeys';

export type { SessionTarget } from '../../../remote-agent/src/protocol';

/** File name suffix of recorded sessions (gzip-compressed NDJSON). */
export const SESSION_FILE_SUFFIX = '.lens.ndjson.gz';

/** Uncompressed bytes waiting in the compressor before the session is told the file falls behind. */
const BACKLOG_WARN_BYTES = 64 * 2 ** 20;

/** Least time between two summary records (the agent refreshes the summary every second; the file keeps fewer). */
export const SUMMARY_RECORD_MS = 10_000;

/** What a session file starts with: its first line, `{"runtimeLens":"session", ...}`. */
export interface SessionFileHeader {
  runtimeLens: 'session';
  version: 1;
  title: string;
  /** what was traced (the target type of session/start; never its env) */
  target: SessionTarget;
  startedAt: number;
  agentVersion?: string;
  events?: string[];
  /** the remote host the session traced on ([user@]host[:port] as connected to); absent for the local machine */
  host?: string;
}

/**
 * The syscall summary as it was at `ts`: `{"runtimeLens":"summary", ...}`, between
 * events. Written when it changes (at most every SUMMARY_RECORD_MS) and once more
 * before the end record; a reader keeps the last one.
 */
export interface SessionFileSummary {
  runtimeLens: 'summary';
  ts: number;
  rows: SyscallSummaryRow[];
}

/** What a cleanly closed session file ends with: its last line, `{"runtimeLens":"end", ...}`. */
export interface SessionFileTrailer {
  runtimeLens: 'end';
  state: SessionState;
  endedAt: number;
  exitCode?: number;
  message?: string;
  stats?: SessionStats;
  /** events written to this file */
  recorded: number;
}

/** The program a target runs, by base name only (never its arguments): what a session file is named after. */
export function targetProgram(target: SessionTarget): string {
  let argv0: string | undefined;
  if (target.kind === 'launch') argv0 = target.command[0];
  else if (target.kind === 'attach') argv0 = target.comm ?? target.cmdline?.split(' ')[0];
  else argv0 = target.name;
  return path.basename(argv0 ?? '');
}

/** Builds a unique, readable session file name from the start time and the program's base name (no arguments). */
export function sessionFileName(startedAt: number, program: string): string {
  const d = new Date(startedAt);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}_${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}-${pad(d.getMilliseconds(), 3)}`;
  const slug = program.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 40) || 'session';
  return `${stamp}_${slug}${SESSION_FILE_SUFFIX}`;
}

/** Creates `file` (0600) without replacing an existing one: two sessions named alike never overwrite each other. */
function createExclusive(file: string): { fd: number; file: string } {
  const base = file.slice(0, file.length - SESSION_FILE_SUFFIX.length);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? file : `${base}-${n}${SESSION_FILE_SUFFIX}`;
    try {
      return { fd: fs.openSync(candidate, 'wx', 0o600), file: candidate };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw err;
    }
  }
}

/**
 * Streams every event of a session to a gzip-compressed NDJSON file. Writes are
 * queued in order and never dropped; a write error is kept in `error` and
 * reported through `onError` (the session shows it), not swallowed.
 */
export class SessionRecorder {
  private readonly gzip: zlib.Gzip;
  private readonly out: fs.WriteStream;
  private readonly done: Promise<void>;
  private closed = false;
  recorded = 0;
  error: Error | undefined;
  private backlogReported = false;
  /** the newest summary not yet in the file */
  private pendingSummary: SyscallSummaryRow[] | undefined;
  private summaryWrittenAt = -Infinity;
  private summaryWritten = '';

  /** the file written: the path asked for, or `NAME-2…` when a session of the same name already exists */
  readonly file: string;

  constructor(file: string, header: SessionFileHeader, private readonly onError: (err: Error) => void) {
    // the folder holds command lines and paths of traced programs: only its owner may list or read it
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { fd, file: created } = createExclusive(file);
    this.file = created;
    this.gzip = zlib.createGzip({ level: 6 });
    this.out = fs.createWriteStream(created, { fd });
    this.done = new Promise<void>((resolve) => {
      this.out.on('close', resolve);
    });
    const fail = (err: Error) => {
      if (this.error) return;
      this.error = new Error(`Runtime Lens could not write the session file ${file}: ${err.message}`);
      this.onError(this.error);
    };
    this.gzip.on('error', fail);
    this.out.on('error', fail);
    this.gzip.pipe(this.out);
    this.gzip.write(JSON.stringify(header) + '\n');
  }

  write(events: readonly LensEvent[]): void {
    if (this.closed || events.length === 0) return;
    let text = '';
    for (const e of events) text += JSON.stringify(e) + '\n';
    this.gzip.write(text);
    this.recorded += events.length;
    if (!this.backlogReported && this.gzip.writableLength > BACKLOG_WARN_BYTES) {
      // nothing is dropped, but memory grows while compression falls behind: say so
      this.backlogReported = true;
      this.onError(new Error(`Runtime Lens: writing ${this.file} falls behind the event rate (${Math.round(this.gzip.writableLength / 2 ** 20)} MiB waiting to be compressed); events are kept, memory grows until it catches up.`));
    }
  }

  /** Records the latest syscall summary: now if the last record is old enough, else at the next chance or on close. */
  writeSummary(rows: readonly SyscallSummaryRow[], now: number): void {
    if (this.closed) return;
    // no syscall aggregation in this session: no record at all
    if (rows.length === 0 && this.summaryWrittenAt === -Infinity && !this.pendingSummary) return;
    this.pendingSummary = rows.slice();
    if (now - this.summaryWrittenAt >= SUMMARY_RECORD_MS) this.flushSummary(now);
  }

  private flushSummary(now: number): void {
    if (!this.pendingSummary) return;
    const rows = JSON.stringify(this.pendingSummary);
    this.pendingSummary = undefined;
    // the agent repeats an unchanged summary every second: the file keeps it once
    if (rows === this.summaryWritten) return;
    this.gzip.write(`{"runtimeLens":"summary","ts":${JSON.stringify(now)},"rows":${rows}}\n`);
    this.summaryWritten = rows;
    this.summaryWrittenAt = now;
  }

  /** Makes everything written so far readable by another reader of the file. */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.gzip.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
  }

  /** Writes the trailer and closes the file; resolves once it is on disk. */
  async close(trailer: Omit<SessionFileTrailer, 'runtimeLens' | 'recorded'>): Promise<void> {
    if (this.closed) return this.done;
    this.flushSummary(trailer.endedAt);
    this.closed = true;
    const end: SessionFileTrailer = { runtimeLens: 'end', ...trailer, recorded: this.recorded };
    this.gzip.end(JSON.stringify(end) + '\n');
    await this.done;
  }
}

/** Everything read from a session file except its events, which go to the callback. */
export interface SessionFileContents {
  header: SessionFileHeader | undefined;
  trailer: SessionFileTrailer | undefined;
  /** the rows of the last summary record, if the file has one */
  summary: SyscallSummaryRow[] | undefined;
  events: number;
  /** set when the file ends without a trailer (the session was still recording or was cut off) */
  incomplete: boolean;
}

/**
 * Reads a session file, calling `onEvents` with batches of events in file order.
 * A file still being written (or cut off) is read up to its last complete line.
 */
export async function readSessionFile(
  file: string,
  onEvents: (events: LensEvent[]) => void,
  options: { batchSize?: number; onHeader?: (header: SessionFileHeader) => void } = {},
): Promise<SessionFileContents> {
  const batchSize = options.batchSize ?? 5000;
  const input = fs.createReadStream(file);
  const gunzip = zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const lines = readline.createInterface({ input: input.pipe(gunzip), crlfDelay: Infinity });
  const failure = new Promise<never>((_, reject) => {
    const fail = (err: Error) => reject(new Error(`Runtime Lens could not read the session file ${file}: ${err.message}`));
    input.on('error', fail);
    gunzip.on('error', fail);
  });
  const result: SessionFileContents = { header: undefined, trailer: undefined, summary: undefined, events: 0, incomplete: true };
  let batch: LensEvent[] = [];
  let lineNo = 0;
  const legacy = new LegacyKeys();
  const readAll = (async () => {
    for await (const line of lines) {
      lineNo++;
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`Runtime Lens could not read the session file ${file}: line ${lineNo} is not JSON.`);
      }
      const record = value as { runtimeLens?: string; kind?: string };
      if (lineNo === 1) {
        if (record.runtimeLens !== 'session') {
          throw new Error(`${file} is not a Runtime Lens session file: its first line has no "runtimeLens":"session" header.`);
        }
        result.header = value as SessionFileHeader;
        options.onHeader?.(result.header);
        continue;
      }
      if (record.runtimeLens === 'summary') {
        const rows = (value as Partial<SessionFileSummary>).rows;
        if (!Array.isArray(rows) || !rows.every((r) => typeof r === 'object' && r !== null && typeof (r as SyscallSummaryRow).name === 'string')) {
          throw new Error(`Runtime Lens could not read the session file ${file}: line ${lineNo} is a summary record without a rows array of syscall rows.`);
        }
        result.summary = rows as SyscallSummaryRow[];
        for (const r of result.summary) legacy.fillSummary(r);
        continue;
      }
      if (record.runtimeLens === 'end') {
        result.trailer = value as SessionFileTrailer;
        result.incomplete = false;
        continue;
      }
      if (typeof record.kind !== 'string') {
        throw new Error(`Runtime Lens could not read the session file ${file}: line ${lineNo} is neither an event, a summary nor an end record.`);
      }
      legacy.fill(value as LensEvent);
      batch.push(value as LensEvent);
      result.events++;
      if (batch.length >= batchSize) {
        onEvents(batch);
        batch = [];
      }
    }
    if (batch.length > 0) onEvents(batch);
    if (lineNo === 0) throw new Error(`${file} is empty: it is not a Runtime Lens session file.`);
    return result;
  })();
  try {
    return await Promise.race([readAll, failure]);
  } finally {
    lines.close();
    input.destroy();
  }
}
