// Kernel cost of recording code mappings (--stacks, bpf/linux/mmap.bpf.c): ns per run of the
// exec walk (lens_map_exec) and of the mmap/mprotect exit programs while a shell runs N
// short dynamic programs (/bin/true: exec maps it and ld.so, ld.so maps libc), and the
// added kernel time per program started. The probe runs alone, packets to /dev/null, as
// stack-cost.ts does, so only the kernel side is measured.
//   node_modules/.bin/tsx scripts/bench/mapping-cost.ts [--execs N] [--reps N]
// Prints one JSON line per repetition and one with the medians.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { enableStats, probeProgramCosts } from './kernel-cost';
import { numberArg } from './options';
import { median } from './proc';
import { REPO } from './tracers';

const PROBE = path.join(REPO, 'bpf', 'linux', '.output', 'lens-probe');
const PROGRAMS = ['lens_map_exec', 'lens_map_mmap', 'lens_map_mprotect'];

interface Run { nsPerRun: Record<string, number>; runsPerExec: Record<string, number>; addedNsPerExec: number }

async function once(scratch: string, execs: number): Promise<Run> {
  const loop = `i=0; while [ $i -lt ${execs} ]; do /bin/true; i=$((i+1)); done`;
  const costs = await probeProgramCosts(scratch, PROBE, ['--events', 'exec,file', '--stacks'], loop);
  const run: Run = { nsPerRun: {}, runsPerExec: {}, addedNsPerExec: 0 };
  for (const name of PROGRAMS) {
    const p = costs.find((c) => c.name === name);
    if (!p || (name === 'lens_map_exec' && p.runCnt < execs)) throw new Error(`${name} ran ${p?.runCnt ?? 0} times for ${execs} execs`);
    run.nsPerRun[name] = Math.round(p.runTimeNs / Math.max(1, p.runCnt));
    run.runsPerExec[name] = Math.round((p.runCnt / execs) * 10) / 10;
    run.addedNsPerExec += p.runTimeNs / execs;
  }
  run.addedNsPerExec = Math.round(run.addedNsPerExec);
  return run;
}

async function main(): Promise<void> {
  const execs = numberArg('--execs', 2000);
  const reps = numberArg('--reps', 3);
  const scratch = mkdtempSync(path.join(tmpdir(), 'lens-mapping-cost-'));
  try {
    const stats = await enableStats(scratch);
    const runs: Run[] = [];
    try {
      for (let r = 0; r < reps; r++) {
        runs.push(await once(scratch, execs));
        console.log(JSON.stringify(runs.at(-1)));
      }
    } finally {
      await stats.stop();
    }
    console.log(JSON.stringify({
      execs, reps,
      nsPerRun: Object.fromEntries(PROGRAMS.map((n) => [n, median(runs.map((r) => r.nsPerRun[n]))])),
      addedNsPerExec: median(runs.map((r) => r.addedNsPerExec)),
    }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(`mapping-cost: ${e.message}`);
  process.exit(1);
});
