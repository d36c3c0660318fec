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
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diff, enableStats, fifos, ownProgramIds, release, snapshot, tryOpenWriter } from './kernel-cost';
import { start, waitFor } from './proc';
import { REPO } from './tracers';

const PROBE = path.join(REPO, 'bpf', 'linux', '.output', 'lens-probe');
const CONFIGS: Record<string, { depth: number; args: string[] }> = {
  off: { depth: 0, args: [] },
  '1024': { depth: 0, args: ['--stacks', '--stack-bytes', '1024'] },
  '8192 shallow': { depth: 0, args: ['--stacks'] },
  '8192 deep': { depth: 40, args: ['--stacks'] },
  '16384 deep': { depth: 40, args: ['--stacks', '--stack-bytes', '16384'] },
};

function arg(name: string, dflt: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : dflt;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function once(scratch: string, loop: string, opens: number, depth: number, stackArgs: string[]): Promise<number> {
  const [go, stop, ctl] = fifos(scratch, 3) as [string, string, string];
  // the probe's stdin is its control channel (EOF is stop): held open until the run is over
  const control = openSync(ctl, 'r+');
  const probe = [PROBE, '--events', 'exec,file', ...stackArgs, '--', 'sh', '-c', `read _ < ${go}; ${loop} ${opens} ${depth}; read _ < ${stop}`];
  const started = start(['sh', '-c', 'exec "$@" < "$0"', ctl, ...probe], { timeoutS: 300 });
  const goFd = await waitFor('the traced shell to start', () => tryOpenWriter(go), 60);
  const own = ownProgramIds(started.pid);
  const s0 = snapshot(own);
  release(goFd);
  const stopFd = await waitFor('the open loop to finish', () => tryOpenWriter(stop), 300);
  const s1 = snapshot(own);
  release(stopFd);
  closeSync(control);
  const res = await started.done;
  if (res.code !== 0) throw new Error(`lens-probe exited with ${res.code ?? res.signal}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const p = diff(s0, s1).find((c) => c.name === 'lens_xopenat');
  if (!p || p.runCnt < opens) throw new Error(`lens_xopenat ran ${p?.runCnt ?? 0} times for ${opens} opens (${stackArgs.join(" ") || "no stacks"})`);
  return p.runTimeNs / p.runCnt;
}

async function main(): Promise<void> {
  const opens = arg('--opens', 200_000);
  const reps = arg('--reps', 5);
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
