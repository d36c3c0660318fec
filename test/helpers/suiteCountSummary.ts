// scripts/test.sh's closing lines, from the counts test/helpers/suiteCountReporter.ts wrote:
// first the totals and, per folder asked for, the tests it ran of those it selected; then one
// "FAIL: …" line per folder that did not report every test it selected, or for a run that did
// not finish. Always exits 0: the caller decides from the FAIL lines.
//   node --import tsx test/helpers/suiteCountSummary.ts COUNTS_FILE FOLDER...
import { readFileSync } from 'node:fs';
import type { FolderCounts, SuiteCounts } from './suiteCountReporter';

const NONE: FolderCounts = { selected: 0, passed: 0, failed: 0, pending: 0 };

/** The summary line, then the FAIL lines. */
export function summarize(counts: SuiteCounts, folders: string[]): string[] {
  const all = Object.values(counts.folders);
  const sum = (key: keyof FolderCounts) => all.reduce((n, c) => n + c[key], 0);
  const ran = (c: FolderCounts) => c.passed + c.failed + c.pending;
  const of = (folder: string) => counts.folders[folder] ?? NONE;
  const hooks = counts.hookFailures ? ` (and ${counts.hookFailures} failing hook${counts.hookFailures > 1 ? 's' : ''})` : '';
  const lines = [
    `${sum('passed')} passing / ${sum('failed')} failing${hooks} / ${sum('pending')} pending; ran: ` +
      folders.map((f) => `${f.replace(/^test\//, '')} ${ran(of(f))} of ${of(f).selected}`).join(', '),
  ];
  if (!counts.finished) lines.push('FAIL: the mocha run did not finish (it crashed or was killed)');
  for (const f of folders) {
    const c = of(f);
    if (ran(c) < c.selected) lines.push(`FAIL: ${f} ran ${ran(c)} of its ${c.selected} tests; the other ${c.selected - ran(c)} never reported a result`);
  }
  return lines;
}

function main(file: string, folders: string[]): void {
  let counts: SuiteCounts;
  try {
    counts = JSON.parse(readFileSync(file, 'utf8')) as SuiteCounts;
  } catch {
    console.log('no per-folder counts');
    console.log(`FAIL: mocha wrote no ${file} (it stopped before running any test, or another --reporter was given)`);
    return;
  }
  for (const line of summarize(counts, folders)) console.log(line);
}

if (process.argv[1]?.endsWith('suiteCountSummary.ts')) main(process.argv[2], process.argv.slice(3));
