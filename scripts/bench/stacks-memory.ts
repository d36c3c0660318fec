// Agent memory with stacks under many processes: `runtime-lens trace --json --stacks` follows
// test/fixtures/bench/many-procs.c (N short processes, P alive at once, each opening files while
// it lives), and the resident memory of the agent and of lens-symbolize is sampled every 250 ms.
// Their per-process caches (the symbolize stage's 4096 processes, the helper's 64 processes'
// modules, symbols by build-id) are bounded: memory must level off, not grow with the processes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { processComm, processTree, start } from './proc';
import { REPO, TRACERS } from './tracers';

export const MANY_PROCS = { processes: 3000, parallel: 24 };

export interface StacksMemory {
  processes: number;
  parallel: number;
  wallS: number;
  events: number | null;
  lost: number | null;
  /** seconds since start, resident MB of the agent (node) and of lens-symbolize */
  samples: Array<{ t: number; agentMB: number; helperMB: number }>;
}

function rssMB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Runs the workload under trace --stacks and samples the agent's and the helper's memory. */
export async function measureStacksMemory(scratch: string): Promise<StacksMemory> {
  const bin = path.join(scratch, 'many-procs');
  const cc = spawnSync('cc', ['-O2', '-g', '-o', bin, path.join(REPO, 'test', 'fixtures', 'bench', 'many-procs.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`compiling many-procs.c failed: ${cc.stderr}`);
  const { processes, parallel } = MANY_PROCS;
  const w = TRACERS['lens-stacks'].wrap([bin, String(processes), String(parallel)], scratch);
  const run = start(w.argv, { stdoutFile: w.stdoutFile, timeoutS: 600 });
  const samples: StacksMemory['samples'] = [];
  const t0 = Date.now();
  let finished = false;
  const result = run.done.finally(() => { finished = true; });
  while (!finished) {
    const tree = processTree(run.pid);
    const agent = tree.find((p) => processComm(p) === 'node');
    const helper = tree.find((p) => processComm(p) === 'lens-symbolize');
    if (agent && helper) samples.push({ t: (Date.now() - t0) / 1000, agentMB: rssMB(agent), helperMB: rssMB(helper) });
    await new Promise((r) => setTimeout(r, 250));
  }
  const res = await result;
  if (res.code !== 0) throw new Error(`trace --stacks of many-procs exited ${res.code ?? res.signal}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  if (samples.length < 8) throw new Error(`only ${samples.length} memory samples: the run was too short to judge`);
  const events = /(\d+) events/.exec(res.stderr)?.[1];
  return { processes, parallel, wallS: res.wallS, events: events ? Number(events) : null, lost: TRACERS['lens-stacks'].lost(res.stderr, ''), samples };
}
