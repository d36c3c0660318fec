// Kernel cost of runtime-lens's BPF programs (BPF run-time statistics): ns per program run for a
// traced dd and for an untraced dd while runtime-lens traces an idle process, plus the consumer's CPU.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseTimes, processComm, processCpuS, processTree, run, start, waitFor } from './proc';
import { DD_FULL } from './workloads';
import { REPO, type Tracer } from './tracers';

/** Run time and count of one lens_ program over a measured phase. */
export interface ProgCost {
  name: string;
  runCnt: number;
  runTimeNs: number;
}

/** Cost of one phase (traced dd, or untraced dd beside a tracer). */
export interface PhaseCost {
  programs: ProgCost[];
  runs: number;
  /** average over all program runs */
  nsPerRun: number;
  /** kernel time of all lens_ programs in the phase, ms */
  kernelMs: number;
  /** dd's own clock, s */
  ddS: number;
  /** CPU of the tracer's processes (agent, probe) during the phase, s */
  consumerCpuS: number;
  /** dd's own user+system CPU, s */
  ddCpuS: number;
  /** ns per run of an empty program on raw_tp/sys_enter in the same phase: what the statistics add */
  emptyNsPerRun: number;
}

/** Kernel cost measured for one runtime-lens event selection. */
export interface KernelCost {
  events: string;
  traced: PhaseCost;
  untraced: PhaseCost;
  lost: number | null;
}

interface ProgStat { name: string; run_time_ns?: number; run_cnt?: number }
type Snapshot = Map<number, ProgStat>;

/**
 * Ids of the BPF programs held open by the tracer's processes (prog_id in
 * /proc/PID/fdinfo of program and link fds): other runtime-lens sessions on the
 * machine load programs with the same names, which must not be counted.
 */
export function ownProgramIds(root: number): Set<number> {
  const ids = new Set<number>();
  for (const pid of processTree(root)) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fdinfo`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^prog_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        if (m) ids.add(Number(m[1]));
      } catch {
        // the fd was closed meanwhile
      }
    }
  }
  if (ids.size === 0) throw new Error('found no BPF program held by the runtime-lens processes (is the probe running as root?)');
  return ids;
}

export function snapshot(own: Set<number>): Snapshot {
  const r = spawnSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bpftool prog show failed (install bpftool, run as root): ${r.stderr || r.error}`);
  const progs = JSON.parse(r.stdout) as Array<ProgStat & { id: number }>;
  return new Map(progs.filter((p) => own.has(p.id)).map((p) => [p.id, p]));
}

export function diff(before: Snapshot, after: Snapshot): ProgCost[] {
  const out: ProgCost[] = [];
  for (const [id, p] of after) {
    const b = before.get(id);
    const runCnt = (p.run_cnt ?? 0) - (b?.run_cnt ?? 0);
    if (runCnt > 0) out.push({ name: p.name, runCnt, runTimeNs: (p.run_time_ns ?? 0) - (b?.run_time_ns ?? 0) });
  }
  return out.sort((a, b) => b.runCnt - a.runCnt);
}

// Opening a FIFO for writing without blocking succeeds only once its reader has opened it.
export function tryOpenWriter(fifo: string): number | undefined {
  try {
    return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return undefined;
    throw err;
  }
}

export function release(fd: number): void {
  writeSync(fd, '\n');
  closeSync(fd);
}

// CPU of the tracer's own processes (not the traced shell and dd) under the run's wrapper.
function consumerCpu(root: number): number {
  return processTree(root)
    .filter((pid) => !['sh', 'dd', 'bash'].includes(processComm(pid)))
    .reduce((s, pid) => s + processCpuS(pid), 0);
}

function phase(all: ProgCost[], emptyName: string, ddS: number, ddCpuS: number, consumerCpuS: number): PhaseCost {
  const progs = all.filter((p) => p.name !== emptyName);
  const empty = all.find((p) => p.name === emptyName);
  const runs = progs.reduce((s, p) => s + p.runCnt, 0);
  const ns = progs.reduce((s, p) => s + p.runTimeNs, 0);
  return {
    programs: progs, runs, nsPerRun: runs ? ns / runs : 0, kernelMs: ns / 1e6, ddS, ddCpuS, consumerCpuS,
    emptyNsPerRun: empty ? empty.runTimeNs / empty.runCnt : 0,
  };
}

const EMPTY_NAME = 'bench_empty';

const DD_CMD = `/usr/bin/dd if=/dev/zero of=/dev/null bs=1 count=${DD_FULL}`;

function ddSeconds(stderr: string, what: string): number {
  const m = /copied, ([\d.]+) s/.exec(stderr);
  if (!m) throw new Error(`bench: no dd timing in the output of ${what}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return Number(m[1]);
}

/** Compiles the stats holder (scripts/bench/bpf-stats-hold.c) into scratch. */
function buildStatsHolder(scratch: string): string {
  const src = path.join(REPO, 'scripts', 'bench', 'bpf-stats-hold.c');
  const bin = path.join(scratch, 'bpf-stats-hold');
  const r = spawnSync('cc', ['-O2', '-o', bin, src, '-lbpf'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`compiling ${src} failed (apt-get install gcc libbpf-dev): ${r.stderr || r.error}`);
  return bin;
}

/**
 * Keeps BPF run-time statistics enabled through a BPF_ENABLE_STATS fd (what
 * kernel.bpf_stats_enabled=1 does, but immune to someone resetting the sysctl
 * meanwhile) until the returned function is called.
 */
export async function enableStats(scratch: string): Promise<{ emptyId: number; stop: () => Promise<void> }> {
  const child = spawn(buildStatsHolder(scratch), [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const closed = new Promise<void>((r) => child.on('close', () => { exited = true; r(); }));
  const emptyId = await waitFor('BPF statistics to be enabled', () => {
    const m = /ready (\d+)/.exec(out);
    if (m) return Number(m[1]);
    if (exited) throw new Error(err.trim() || 'bpf-stats-hold exited');
    return undefined;
  }, 30);
  return {
    emptyId,
    stop: async () => {
      child.stdin.end();
      await closed;
    },
  };
}

/**
 * Runs two phases with BPF run-time statistics on: dd traced by runtime-lens,
 * and an untraced dd while runtime-lens traces an idle shell. The traced shell
 * waits on FIFOs so that the program statistics are read exactly before and
 * after each phase, while the programs are loaded.
 */
export async function measureKernelCost(tracer: Tracer, events: string, scratch: string): Promise<KernelCost> {
  const stats = await enableStats(scratch);
  try {
    const traced = await tracedPhase(tracer, scratch, stats.emptyId);
    const untraced = await untracedPhase(tracer, scratch, stats.emptyId);
    return { events, traced: traced.cost, untraced, lost: traced.lost };
  } finally {
    await stats.stop();
  }
}

/**
 * Runs lens-probe alone with `probeArgs` on `sh -c script` (its packets to /dev/null, its stdin,
 * the control channel, held open) and gives what each of its programs ran while the script ran:
 * the shell waits on FIFOs, so the statistics are read exactly before and after it.
 */
export async function probeProgramCosts(scratch: string, probe: string, probeArgs: string[], script: string): Promise<ProgCost[]> {
  const [go, stop, ctl] = fifos(scratch, 3) as [string, string, string];
  // EOF on the probe's stdin is stop: held open until the run is over
  const control = openSync(ctl, 'r+');
  const argv = [probe, ...probeArgs, '--', 'sh', '-c', `read _ < ${go}; ${script}; read _ < ${stop}`];
  const started = start(['sh', '-c', 'exec "$@" < "$0"', ctl, ...argv], { timeoutS: 300 });
  const goFd = await waitFor('the traced shell to start', () => tryOpenWriter(go), 60);
  const own = ownProgramIds(started.pid);
  const s0 = snapshot(own);
  release(goFd);
  const stopFd = await waitFor('the traced script to finish', () => tryOpenWriter(stop), 300);
  const s1 = snapshot(own);
  release(stopFd);
  closeSync(control);
  const res = await started.done;
  if (res.code !== 0) throw new Error(`lens-probe exited with ${res.code ?? res.signal}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return diff(s0, s1);
}

export function fifos(scratch: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const f = path.join(scratch, `hold-${i}.fifo`);
    rmSync(f, { force: true });
    const r = spawnSync('mkfifo', [f]);
    if (r.status !== 0) throw new Error(`bench: mkfifo ${f} failed`);
    return f;
  });
}

async function tracedPhase(tracer: Tracer, scratch: string, emptyId: number) {
  const [go, stop] = fifos(scratch, 2) as [string, string];
  const timesFile = path.join(scratch, 'dd-times');
  const w = tracer.wrap(['sh', '-c', `read _ < ${go}; ${DD_CMD}; times > ${timesFile}; read _ < ${stop}`], scratch);
  const started = start(w.argv, { stdoutFile: w.stdoutFile, timeoutS: 300 });
  const goFd = await waitFor('the traced shell to start', () => tryOpenWriter(go), 60);
  const own = ownProgramIds(started.pid).add(emptyId);
  const s0 = snapshot(own);
  const c0 = consumerCpu(started.pid);
  release(goFd);
  const stopFd = await waitFor('the traced dd to finish', () => tryOpenWriter(stop), 300);
  const s1 = snapshot(own);
  const c1 = consumerCpu(started.pid);
  release(stopFd);
  const res = await started.done;
  if (res.code !== 0) throw new Error(`runtime-lens exited with ${res.code ?? res.signal}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const ddCpuS = parseTimes(readFileSync(timesFile, 'utf8'));
  return { cost: phase(diff(s0, s1), EMPTY_NAME, ddSeconds(res.stderr, 'the traced dd'), ddCpuS, c1 - c0), lost: tracer.lost(res.stderr, '') };
}

async function untracedPhase(tracer: Tracer, scratch: string, emptyId: number): Promise<PhaseCost> {
  const [hold] = fifos(scratch, 1) as [string];
  const w = tracer.wrap(['sh', '-c', `read _ < ${hold}`], scratch);
  const started = start(w.argv, { stdoutFile: w.stdoutFile, timeoutS: 300 });
  const fd = await waitFor('the traced idle shell to start', () => tryOpenWriter(hold), 60);
  const own = ownProgramIds(started.pid).add(emptyId);
  const s0 = snapshot(own);
  const c0 = consumerCpu(started.pid);
  const dd = await run(['sh', '-c', DD_CMD]);
  const s1 = snapshot(own);
  const c1 = consumerCpu(started.pid);
  release(fd);
  const res = await started.done;
  if (res.code !== 0) throw new Error(`runtime-lens exited with ${res.code ?? res.signal}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return phase(diff(s0, s1), EMPTY_NAME, ddSeconds(dd.stderr, 'the untraced dd'), dd.cpuS, c1 - c0);
}
