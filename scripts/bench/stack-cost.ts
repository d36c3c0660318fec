// Kernel cost of user-stack snapshots (--stacks): ns per run of the openat exit program
// (lens_xopenat) while a program makes N openat calls, with stacks off and with --stack-bytes
// 1024, 8192 (the default) and 16384, from a shallow stack (three calls below main: the copy
// stops where the stack ends) and a deep one (20 KiB: the whole size is copied),
// configurations interleaved run by run; the added cost per event is the difference of medians. The probe runs alone, its
// packets to /dev/null and its stdin (its control channel) held open, so only the
// kernel side is measured.
//   node_modules/.bin/tsx scripts/bench/stack-cost.ts [--opens N] [--reps N]
// Prints one JSON line per configuration and one with the added ns per event.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

async function main(): Promise<void> {
  const opens = numberArg('--opens', 200_000);
  const reps = numberArg('--reps', 5);
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
    for (const [name, xs] of Object.entries(ns)) console.log(JSON.stringify({ config: name, nsPerEvent: Math.round(median(xs)), runs: xs.map(Math.round) }));
    console.log(JSON.stringify({
      addedNsPerEvent: Object.fromEntries(Object.keys(CONFIGS).filter((k) => k !== 'off').map((k) => [k, Math.round(median(ns[k]) - off)])),
      opens, reps, goalNs: 2000,
    }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(`stack-cost: ${e.message}`);
  process.exit(1);
});
