import * as fs from 'node:fs';
import { once } from 'node:events';
import { eventText } from '../../../remote-agent/src/model/event-model';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import type { Session } from './session';
import { readSessionFile } from './sessionFile';

/** Formats a session can be exported to. */
export type ExportFormat = 'json' | 'csv';

export const CSV_COLUMNS = ['ts', 'time', 'kind', 'pid', 'key', 'tid', 'ppid', 'uid', 'comm', 'detail', 'ret', 'errno'] as const;

/** One CSV row for an event (columns of CSV_COLUMNS). */
export function csvRow(e: LensEvent): string {
  const r = e as LensEvent & { ret?: number; errno?: string };
  return [e.ts, new Date(e.ts).toISOString(), e.kind, e.pid, e.key, e.tid, e.ppid, e.uid, e.comm, eventText(e), r.ret, r.errno].map(csvField).join(',');
}

/** Every event of a session, in batches: from its session file (all of them), else its in-memory window. */
export async function readAllEvents(session: Session, onEvents: (events: LensEvent[]) => void): Promise<void> {
  if (session.recorder) await session.recorder.flush();
  if (session.file) await readSessionFile(session.file, onEvents);
  else onEvents(session.window.toArray());
}

/** Writes `text` to a new private file (0600, like the session file it comes from). */
export async function writePrivateFile(outFile: string, text: string): Promise<void> {
  try {
    await fs.promises.writeFile(outFile, text, { mode: 0o600 });
  } catch (err) {
    throw new Error(`Runtime Lens could not write ${outFile}: ${(err as Error).message}`, { cause: err });
  }
}

/** A CSV field, quoted where needed and never read as a formula by a spreadsheet. */
export function csvField(value: unknown): string {
  const s = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Writes every event of a session to `outFile` as a JSON array or CSV. Reads
 * the session file (all events, not only those in memory); a session without
 * a file exports its in-memory window. Resolves with the number of events.
 */
export async function exportSession(session: Session, format: ExportFormat, outFile: string): Promise<number> {
  if (format !== 'json' && format !== 'csv') throw new Error(`Runtime Lens: unknown export format "${String(format)}"; expected json or csv.`);
  // private like the session file it is read from
  const out = fs.createWriteStream(outFile, { mode: 0o600 });
  const failed = new Promise<never>((_, reject) => out.on('error', (err) => reject(new Error(`Runtime Lens could not write ${outFile}: ${err.message}`))));
  failed.catch(() => undefined);
  let count = 0;
  let pendingDrain: Promise<unknown> | undefined;
  const write = (text: string) => {
    if (!out.write(text)) pendingDrain = once(out, 'drain');
  };
  write(format === 'json' ? '[' : CSV_COLUMNS.join(',') + '\n');
  const onEvents = (events: LensEvent[]) => {
    let text = '';
    for (const e of events) {
      text += format === 'json' ? `${count === 0 ? '\n' : ',\n'}${JSON.stringify(e)}` : csvRow(e) + '\n';
      count++;
    }
    write(text);
  };
  await Promise.race([readAllEvents(session, onEvents), failed]);
  if (pendingDrain) await Promise.race([pendingDrain, failed]);
  if (format === 'json') write('\n]\n');
  out.end();
  await Promise.race([once(out, 'close'), failed]);
  return count;
}
