// Section `stacks` of `npm run bench` (source linking): exact file:line per language over
// the corpus, kernel time --stacks adds per event, warm symbolization rate, the HTTP server with
// stacks on against off (from the tracer table's lens-default and lens-stacks cells), and the
// agent's memory under many processes; each measured against its goal.
import type { Results } from './report';
import { oneLine, ratio } from './report';
import { measureSourceAccuracy, type SourceAccuracy } from './source-accuracy';
import { measureStackCost, type StackCost } from './stack-cost';
import { MANY_PROCS, measureStacksMemory, type StacksMemory } from './stacks-memory';
import { measureSymbolizeRate, type SymbolizeRate } from './symbolize-rate';

type Or<T> = T | { error: string };

export interface StacksResults {
  accuracy: Or<SourceAccuracy>;
  kernel: Or<StackCost>;
  symbolize: Or<SymbolizeRate>;
  memory: Or<StacksMemory>;
}

/** How much each part measures: `--quick` runs a smoke pass. */
const SIZES = {
  full: { corpusRuns: 3, opens: 100_000, costReps: 3, symbolizeEvents: 200_000 },
  quick: { corpusRuns: 1, opens: 50_000, costReps: 1, symbolizeEvents: 50_000 },
};

async function attempt<T>(what: string, log: (m: string) => void, f: () => Promise<T>): Promise<Or<T>> {
  try {
    log(what);
    return await f();
  } catch (err) {
    log(`${what}: ${(err as Error).message}`);
    return { error: (err as Error).message };
  }
}

/** Measures every part of the section. */
export async function measureStacks(scratch: string, quick: boolean, log: (m: string) => void): Promise<StacksResults> {
  const n = quick ? SIZES.quick : SIZES.full;
  return {
    accuracy: await attempt(`source accuracy: the corpus ${n.corpusRuns} time(s)`, log, () => measureSourceAccuracy(n.corpusRuns, log)),
    kernel: await attempt(`stack cost: ${n.opens} opens × ${n.costReps}`, log, () => measureStackCost(n.opens, n.costReps)),
    symbolize: await attempt(`warm symbolization: ${n.symbolizeEvents} events`, log, () => measureSymbolizeRate(n.symbolizeEvents)),
    memory: await attempt(`agent memory: ${MANY_PROCS.processes} processes`, log, () => measureStacksMemory(scratch)),
  };
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');

function goal(label: string, value: string, met: boolean): string {
  return `- ${label}: ${value} — ${met ? 'met' : '**missed**'}`;
}

/** Growth of a series from its second quarter to its last (means of each), in MB. */
function lateGrowthMB(xs: number[]): number {
  const q = Math.max(1, Math.floor(xs.length / 4));
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  return mean(xs.slice(-q)) - mean(xs.slice(q, 2 * q));
}

/* Bounded: the last quarter's mean at most 10% (and never less than 8 MB: a helper of 30 MB moves by that
 * much with the files it has open) above the second quarter's, i.e. memory levels off once the caches are full. */
function bounded(xs: number[]): boolean {
  const q = Math.max(1, Math.floor(xs.length / 4));
  const second = xs.slice(q, 2 * q).reduce((x, y) => x + y, 0) / q;
  return lateGrowthMB(xs) <= Math.max(8, 0.1 * second);
}

/** The section's report lines. */
export function stacksSection(r: StacksResults, res: Results): string[] {
  const out = ['', '### Source linking: accuracy and cost of stacks', ''];
  const goals: string[] = [];

  const a = r.accuracy;
  if ('error' in a) out.push(`**Exact file:line** not measured: ${oneLine(a.error)}`);
  else {
    out.push(`**Exact file:line per language** (test/fixtures/corpus, each program ${a.runs} time(s) under \`runtime-lens trace --json --stacks\`, real probe; a marked line counts when its event's \`source\` is that file:line, and column where the language has one; lost events over all runs: ${a.lost}):`, '');
    out.push('| language | programs | marked lines × runs | exact | goal |', '| --- | --- | --- | --- | --- |');
    for (const l of a.languages) {
      out.push(`| ${l.language} | ${l.programs.join(', ')} | ${l.marked} | ${l.exact} (${pct(l.exact, l.marked)}) | ≥ ${l.goalPct}% |`);
      goals.push(goal(`${l.language} exact file:line ≥ ${l.goalPct}%`, pct(l.exact, l.marked), l.marked > 0 && (100 * l.exact) / l.marked >= l.goalPct));
    }
    if (a.misses.length) {
      out.push('', 'Misses (marked line → what its event gave, runs):', '');
      for (const m of a.misses) out.push(`- ${m.program}: ${m.want} → ${oneLine(m.got)} (${m.count}×)`);
    }
    for (const f of a.failedRuns) out.push(`- failed run: ${oneLine(f)}`);
  }

  const k = r.kernel;
  out.push('');
  if ('error' in k) out.push(`**Kernel time added per event** not measured: ${oneLine(k.error)}`);
  else {
    const off = k.configs.find((c) => c.config === 'off')?.nsPerEvent ?? 0;
    out.push(`**Kernel time added per event by --stacks** (scripts/bench/stack-cost.ts: ns per run of the openat exit program over ${int(k.opens)} opens, median of ${k.reps}, BPF run-time statistics; stacks off ${int(off)} ns): ` +
      Object.entries(k.addedNsPerEvent).map(([c, ns]) => `${c} ${(ns / 1000).toFixed(2)} µs`).join(', ') + '.');
    const full = k.addedNsPerEvent['8192 deep'];
    if (full !== undefined) goals.push(goal('≤ 2 µs added kernel time per event with stacks (8 KiB, a full copy)', `${(full / 1000).toFixed(2)} µs`, full <= 2000));
  }

  const s = r.symbolize;
  out.push('');
  if ('error' in s) out.push(`**Warm symbolization** not measured: ${oneLine(s.error)}`);
  else {
    out.push(`**Warm symbolization** (scripts/bench/symbolize-rate.ts: ${int(s.events)} recorded stacks of the C and C++ fixtures, ${s.framesPerEvent} frames each, sent to lens-symbolize through the agent's client, 512 in flight): ` +
      `${int(s.eventsPerSecond)} events/s of lens-symbolize's CPU, ${int(s.agentEventsPerSecond)} events/s of the agent's CPU (encoding requests, decoding answers), ${int(s.wallEventsPerSecond)} events/s of wall time on this shared machine; helper RSS ${(s.helperRssKiB / 1024).toFixed(0)} MB.`);
    const slower = Math.min(s.eventsPerSecond, s.agentEventsPerSecond);
    goals.push(goal('warm symbolization ≥ 50k events/s on one core (the slower of lens-symbolize and the agent\'s side)', `${int(slower)} events/s`, slower >= 50_000));
  }

  const on = ratio(res, 'http', 'lens-stacks');
  const off = ratio(res, 'http', 'lens-default');
  out.push('');
  if (on === null || off === null) out.push('**HTTP server (c) with stacks**: not measured (run the tracers section with `--workloads http --tracers lens-default,lens-stacks`).');
  else {
    out.push(`**HTTP server (c) with stacks**: default events with \`--stacks\` ${on.toFixed(3)}× untraced requests/s, without ${off.toFixed(3)}× (rows of the table above, same run).`);
    goals.push(goal('(c) with default events and stacks on ≤ 5% fewer requests/s than stacks off', `${((1 - on / off) * 100).toFixed(1)}% ${on <= off ? 'fewer' : 'more'}`, on / off >= 0.95));
  }

  const m = r.memory;
  out.push('');
  if ('error' in m) out.push(`**Agent memory with stacks under many processes** not measured: ${oneLine(m.error)}`);
  else {
    const at = (f: number) => m.samples[Math.min(m.samples.length - 1, Math.floor(f * (m.samples.length - 1)))]!;
    const fmt = (x: { agentMB: number; helperMB: number }) => `agent ${x.agentMB.toFixed(0)} MB, lens-symbolize ${x.helperMB.toFixed(0)} MB`;
    const agent = m.samples.map((x) => x.agentMB);
    const helper = m.samples.map((x) => x.helperMB);
    const growA = lateGrowthMB(agent);
    const growH = lateGrowthMB(helper);
    const mb = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} MB`;
    out.push(`**Agent memory with stacks under many processes** (scripts/bench/stacks-memory.ts: \`trace --json --stacks\` of test/fixtures/bench/many-procs.c, ${int(m.processes)} processes, ${m.parallel} alive at once, each opening /dev/null 4 times over 45 ms; ${m.wallS.toFixed(1)} s, ${m.events === null ? '?' : int(m.events)} events, lost ${m.lost ?? 'not reported'}; resident memory every 250 ms): ` +
      `at a quarter of the run ${fmt(at(0.25))}, at half ${fmt(at(0.5))}, at the end ${fmt(at(1))}; peak agent ${Math.max(...m.samples.map((x) => x.agentMB)).toFixed(0)} MB, lens-symbolize ${Math.max(...m.samples.map((x) => x.helperMB)).toFixed(0)} MB; from the second quarter of the run to the last (means): agent ${mb(growA)}, lens-symbolize ${mb(growH)}.`);
    goals.push(goal('agent memory bounded with per-process caches (last quarter ≤ second quarter + max(10%, 8 MB), agent and lens-symbolize)', `agent ${mb(growA)}, lens-symbolize ${mb(growH)}`, bounded(agent) && bounded(helper)));
  }
  out.push('', '**Goals** (a benchmark, not a test):', '', ...goals);
  return out;
}
