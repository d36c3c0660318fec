// Runs the agent's decode micro-benchmark (remote-agent/src/bench/) and reads its {eventsPerSecond}.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './tracers';

/** Result of the agent's decode micro-benchmark. */
export interface DecodeRate {
  script: string;
  eventsPerSecond: number;
  /** the whole JSON object it printed, for the notes */
  raw: Record<string, unknown>;
}

const BENCH_DIR = path.join(REPO, 'remote-agent', 'src', 'bench');

/** The decode benchmark's entry file, or null when the agent does not have one yet. */
export function findDecodeBench(): string | null {
  if (!existsSync(BENCH_DIR)) return null;
  const files = readdirSync(BENCH_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const pick = files.find((f) => /decode/i.test(f)) ?? (files.length === 1 ? files[0] : undefined);
  return pick ? path.join(BENCH_DIR, pick) : null;
}

/** Runs the decode benchmark with tsx on one core and parses the last JSON line with eventsPerSecond. */
export function measureDecodeRate(): DecodeRate {
  const script = findDecodeBench();
  if (!script) throw new Error(`no decode benchmark in ${path.relative(REPO, BENCH_DIR)}/ (expected a *decode*.ts printing {"eventsPerSecond": N})`);
  const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
  // Pinned to one core: the goal is stated per core.
  const r = spawnSync('taskset', ['-c', '0', tsx, script], { cwd: REPO, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${path.relative(REPO, script)} failed (exit ${r.status ?? r.signal}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  for (const line of r.stdout.trim().split('\n').reverse()) {
    try {
      const obj = JSON.parse(line) as Record<string, unknown>;
      if (typeof obj.eventsPerSecond === 'number') return { script: path.relative(REPO, script), eventsPerSecond: obj.eventsPerSecond, raw: obj };
    } catch {
      // not the JSON line
    }
  }
  throw new Error(`${path.relative(REPO, script)} printed no JSON line with eventsPerSecond: ${r.stdout.trim().slice(-300)}`);
}
