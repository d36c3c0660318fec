// Kernel cost of user-stack snapshots (--stacks): ns per run of the openat exit program
// (lens_xopenat) while a program makes N openat calls, with stacks off and with --stack-bytes
// 1024, 8192 (the default) and 16384, from a shallow stack (three calls below main: the copy
// stops where the stack ends) and a deep one (20 KiB: the whole size is copied),
// configurations interleaved run by run; the added cost per event is the difference of medians. The probe runs alone, its
// packets to /dev/null and its stdin (its control channel) held open, so only the
// kernel side is measured.
//   node_modules/.bin/tsx scripts/bench/stack-cost.ts [--opens N] [--reps N]
// Prints one JSON line per configuration and one with the added ns per event; `npm run bench`
// (section stacks) calls measureStackCost.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { enableStats, probeProgramCosts } from './kernel-cost';
import { numberArg } from './options';
import { median } from './proc';
import { REPO } from './tracers';

const PROBE = path.join(REPO, 'bpf', 'linux', '.output', 'lens-probe');
const CONFIGS: Record<string, { depth: number; args: string[] }> = {
  off: { depth: 0, args: [] },
  '1024': { depth: 0, args: ['--stacks', '--stack-bytes', '1024'] },
  '8192 shallow': { depth: 0, args: ['--stacks'] },
  '8192 deep': { depth: 40, args: ['--stacks'] },
  '16384 deep': { depth: 40, args: ['--stacks', '--stack-bytes', '16384'] },
};

async function once(scratch: string, loop: string, opens: number, depth: number, stackArgs: string[]): Promise<number> {
  const costs = await probeProgramCosts(scratch, PROBE, ['--events', 'exec,file', ...stackArgs], `${loop} ${opens} ${depth}`);
  const p = costs.find((c) => c.name === 'lens_xopenat');
  if (!p || p.runCnt < opens) throw new Error(`lens_xopenat ran ${p?.runCnt ?? 0} times for ${opens} opens (${stackArgs.join(" ") || "no stacks"})`);
  return p.runTimeNs / p.runCnt;
}

/** What --stacks adds in the kernel, per configuration. */
export interface StackCost {
  opens: number;
  reps: number;
  /** ns per run of lens_xopenat, median over the runs, and each run's */
  configs: Array<{ config: string; nsPerEvent: number; runs: number[] }>;
  /** ns added per event by each stacks configuration: its median minus stacks off */
  addedNsPerEvent: Record<string, number>;
}

/** Measures each configuration `reps` times, interleaved, with a loop of `opens` openat calls. */
export async function measureStackCost(opens: number, reps: number): Promise<StackCost> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'lens-stack-cost-'));
  try {
    const loop = path.join(scratch, 'open-loop');
    const cc = spawnSync('cc', ['-O2', '-g', '-o', loop, path.join(REPO, 'scripts', 'bench', 'open-loop.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`compiling open-loop.c failed: ${cc.stderr}`);
    const stats = await enableStats(scratch);
    const ns: Record<string, number[]> = Object.fromEntries(Object.keys(CONFIGS).map((k) => [k, []]));
    try {
      for (let r = 0; r < reps; r++) for (const [name, c] of Object.entries(CONFIGS)) ns[name].push(await once(scratch, loop, opens, c.depth, c.args));
    } finally {
      await stats.stop();
    }
    const off = median(ns.off);
    return {
      opens, reps,
      configs: Object.entries(ns).map(([config, xs]) => ({ config, nsPerEvent: Math.round(median(xs)), runs: xs.map(Math.round) })),
      addedNsPerEvent: Object.fromEntries(Object.keys(CONFIGS).filter((k) => k !== 'off').map((k) => [k, Math.round(median(ns[k]) - off)])),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  measureStackCost(numberArg('--opens', 200_000), numberArg('--reps', 5)).then((r) => {
    for (const c of r.configs) console.log(JSON.stringify(c));
    console.log(JSON.stringify({ addedNsPerEvent: r.addedNsPerEvent, opens: r.opens, reps: r.reps, goalNs: 2000 }));
  }, (e: Error) => {
    console.error(`stack-cost: ${e.message}`);
    process.exit(1);
  });
}
