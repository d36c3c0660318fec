import { DependencyIndex, dependencyKinds } from '../../../remote-agent/src/model/dependencies';
import { csvField, readAllEvents, writePrivateFile, type ExportFormat } from './exportSession';
import type { Session } from './session';

/**
 * Writes a session's Dependencies table to `outFile`: per package, the events its code caused,
 * per kind, over every event of the session (its file, not only those in memory). JSON: an
 * object with the packages; CSV: `package,from,events,<one column per kind that occurs>`.
 * Resolves with the number of packages.
 */
export async function exportDependencies(session: Session, format: ExportFormat, outFile: string): Promise<number> {
  if (format !== 'json' && format !== 'csv') throw new Error(`Runtime Lens: unknown export format "${String(format)}"; expected json or csv.`);
  const index = new DependencyIndex();
  let events = 0;
  await readAllEvents(session, (batch) => {
    events += batch.length;
    index.add(batch);
  });
  const rows = index.rows();
  let text: string;
  if (format === 'json') {
    text = JSON.stringify({
      session: session.title, events, eventsWithStacks: index.withStacks,
      attribution: 'an event counts for every package with a frame on its stack',
      packages: rows,
    }, null, 2) + '\n';
  } else {
    const kinds = dependencyKinds(rows);
    text = ['package', 'from', 'events', ...kinds].join(',') + '\n'
      + rows.map((r) => [r.name, r.kind, r.total, ...kinds.map((k) => r.byKind[k] ?? 0)].map(csvField).join(',') + '\n').join('');
  }
  await writePrivateFile(outFile, text);
  return rows.length;
}
