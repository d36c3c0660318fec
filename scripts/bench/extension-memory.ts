// Extension memory benchmark: runs scripts/bench/extension-soak.ts in its own Node process at 20k events/s
// and reports its memory over the run (bounded window, session file, webview batching).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './tracers';

export const SOAK_RATE = 20_000;

interface MemSample { t: number; events: number; rssMB: number; heapMB: number; externalMB: number; window: number; posted: number; droppedFromView: number; recorded: number; problems: string[] }

export interface ExtensionMemoryResult {
  seconds: number;
  samples: MemSample[];
  /** time to finish the session file after the last event (compression catching up), s */
  closeS: number;
}

/** Runs the soak for `seconds` and returns its memory samples (one every 5 s). */
export async function measureExtensionMemory(seconds: number, scratch: string): Promise<ExtensionMemoryResult> {
  const dir = path.join(scratch, 'soak');
  mkdirSync(dir, { recursive: true });
  // --expose-gc: each sample follows a full collection, so the heap figure is what is really kept.
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(REPO, 'scripts', 'bench', 'extension-soak.ts'), String(seconds), String(SOAK_RATE), dir],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`extension-soak.ts failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`);
  const lines = out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as MemSample & { closeS?: number });
  const samples = lines.filter((l) => l.closeS === undefined);
  if (samples.length < 2) throw new Error(`extension-soak.ts printed ${samples.length} memory samples, expected one every 5 s`);
  return { seconds, samples, closeS: lines.find((l) => l.closeS !== undefined)?.closeS ?? 0 };
}

/** The report section for the extension memory benchmark. */
export function extensionMemorySection(r: ExtensionMemoryResult | { error: string }, long: boolean): string[] {
  const head = `**Extension host memory** (scripts/bench/extension-soak.ts runs the extension's event path — Session with its bounded in-memory window (runtimeLens.maxEventsInMemory default), process tree, gzip session recorder, webview batcher with JSON serialisation of every posted message — in its own Node process, fed ${SOAK_RATE.toLocaleString('en-US')} events/s as parsed JSON-RPC batches, a full garbage collection before each sample; not a whole VS Code extension host. ${long ? '' : 'Default run 60 s; `npm run bench -- --long` runs the 10-minute soak.'}):`;
  if ('error' in r) return ['', head, '', `- not measured: ${r.error.replace(/\s*\n\s*/g, ' ')}`];
  const s = r.samples;
  const full = s.find((x) => x.window >= 200_000) ?? s[0]!;
  const last = s[s.length - 1]!;
  const peakRss = Math.max(...s.map((x) => x.rssMB));
  const peakHeap = Math.max(...s.map((x) => x.heapMB));
  const secondHalf = s.filter((x) => x.t >= last.t / 2);
  const slope = secondHalf.length >= 2 ? ((secondHalf[secondHalf.length - 1]!.rssMB - secondHalf[0]!.rssMB) / (secondHalf[secondHalf.length - 1]!.t - secondHalf[0]!.t)) * 60 : 0;
  const heapSlope = secondHalf.length >= 2 ? ((secondHalf[secondHalf.length - 1]!.heapMB - secondHalf[0]!.heapMB) / (secondHalf[secondHalf.length - 1]!.t - secondHalf[0]!.t)) * 60 : 0;
  const fmt = (x: MemSample) => `RSS ${x.rssMB.toFixed(0)} MB, live heap ${x.heapMB.toFixed(0)} MB, buffers ${x.externalMB.toFixed(0)} MB`;
  return ['', head, '',
    `- ${r.seconds} s, ${last.events.toLocaleString('en-US')} events (all ${last.recorded.toLocaleString('en-US')} recorded to the session file, ${last.window.toLocaleString('en-US')} in memory, ${last.posted} webview messages, ${last.droppedFromView} dropped from the view)`,
    `- when the window first held 200,000 events (${full.t.toFixed(0)} s): ${fmt(full)}; at the end: ${fmt(last)}; peak RSS ${peakRss.toFixed(0)} MB, peak heap ${peakHeap.toFixed(0)} MB`,
    `- trend over the second half of the run: RSS ${slope >= 0 ? '+' : ''}${slope.toFixed(1)} MB/min, live heap ${heapSlope >= 0 ? '+' : ''}${heapSlope.toFixed(1)} MB/min; closing the session file after the last event took ${r.closeS.toFixed(1)} s`,
    ...[...new Set(s.flatMap((x) => x.problems ?? []))].map((p) => `- reported by the recorder during the run: "${p}"`)];
}
