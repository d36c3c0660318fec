// Kernel cost of runtime-lens's BPF programs (kernel.bpf_stats_enabled): ns per program run for a
// traced dd and for an untraced dd while runtime-lens traces an idle process, plus the consumer's CPU.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { processComm, processCpuS, processTree, run, start, waitFor } from './proc';
import { DD_FULL } from './workloads';
import type { Tracer } from './tracers';

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

function snapshot(): Snapshot {
  const r = spawnSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bpftool prog show failed (install bpftool, run as root): ${r.stderr || r.error}`);
  const progs = JSON.parse(r.stdout) as Array<ProgStat & { id: number }>;
  return new Map(progs.filter((p) => p.name?.startsWith('lens_')).map((p) => [p.id, p]));
}

function diff(before: Snapshot, after: Snapshot): ProgCost[] {
  const out: ProgCost[] = [];
  for (const [id, p] of after) {
    const b = before.get(id);
    const runCnt = (p.run_cnt ?? 0) - (b?.run_cnt ?? 0);
    if (runCnt > 0) out.push({ name: p.name, runCnt, runTimeNs: (p.run_time_ns ?? 0) - (b?.run_time_ns ?? 0) });
  }
  return out.sort((a, b) => b.runCnt - a.runCnt);
}

// Opening a FIFO for writing without blocking succeeds only once its reader has opened it.
function tryOpenWriter(fifo: string): number | undefined {
  try {
    return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return undefined;
    throw err;
  }
}

function release(fd: number): void {
  writeSync(fd, '\n');
  closeSync(fd);
}

// CPU of the tracer's own processes (not the traced shell and dd) under the run's wrapper.
function consumerCpu(root: number): number {
  return processTree(root)
    .filter((pid) => !['sh', 'dd', 'bash'].includes(processComm(pid)))
    .reduce((s, pid) => s + processCpuS(pid), 0);
}

function phase(progs: ProgCost[], ddS: number, consumerCpuS: number): PhaseCost {
  const runs = progs.reduce((s, p) => s + p.runCnt, 0);
  const ns = progs.reduce((s, p) => s + p.runTimeNs, 0);
  return { programs: progs, runs, nsPerRun: runs ? ns / runs : 0, kernelMs: ns / 1e6, ddS, consumerCpuS };
}

const DD_CMD = `/usr/bin/dd if=/dev/zero of=/dev/null bs=1 count=${DD_FULL}`;

function ddSeconds(stderr: string, what: string): number {
  const m = /copied, ([\d.]+) s/.exec(stderr);
  if (!m) throw new Error(`bench: no dd timing in the output of ${what}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return Number(m[1]);
}

/**
 * Runs two phases with kernel.bpf_stats_enabled=1 (restored afterwards):
 * dd traced by runtime-lens, and an untraced dd while runtime-lens traces an idle
 * shell. The traced shell waits on FIFOs so that the program statistics are
 * read exactly before and after each phase, while the programs are loaded.
 */
export async function measureKernelCost(tracer: Tracer, events: string, scratch: string): Promise<KernelCost> {
  const sysctl = '/proc/sys/kernel/bpf_stats_enabled';
  const previous = readFileSync(sysctl, 'utf8').trim();
  writeFileSync(sysctl, '1');
  try {
    const traced = await tracedPhase(tracer, scratch);
    const untraced = await untracedPhase(tracer, scratch);
    return { events, traced: traced.cost, untraced, lost: traced.lost };
  } finally {
    writeFileSync(sysctl, previous);
  }
}

function fifos(scratch: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const f = path.join(scratch, `hold-${i}.fifo`);
    rmSync(f, { force: true });
    const r = spawnSync('mkfifo', [f]);
    if (r.status !== 0) throw new Error(`bench: mkfifo ${f} failed`);
    return f;
  });
}

async function tracedPhase(tracer: Tracer, scratch: string) {
  const [go, stop] = fifos(scratch, 2) as [string, string];
  const w = tracer.wrap(['sh', '-c', `read _ < ${go}; ${DD_CMD}; read _ < ${stop}`], scratch);
  const started = start(w.argv, { stdoutFile: w.stdoutFile, timeoutS: 300 });
  const goFd = await waitFor('the traced shell to start', () => tryOpenWriter(go), 60);
  const s0 = snapshot();
  const c0 = consumerCpu(started.pid);
  release(goFd);
  const stopFd = await waitFor('the traced dd to finish', () => tryOpenWriter(stop), 300);
  const s1 = snapshot();
  const c1 = consumerCpu(started.pid);
  release(stopFd);
  const res = await started.done;
  if (res.code !== 0) throw new Error(`runtime-lens exited with ${res.code ?? res.signal}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { cost: phase(diff(s0, s1), ddSeconds(res.stderr, 'the traced dd'), c1 - c0), lost: tracer.lost(res.stderr, '') };
}

async function untracedPhase(tracer: Tracer, scratch: string): Promise<PhaseCost> {
  const [hold] = fifos(scratch, 1) as [string];
  const w = tracer.wrap(['sh', '-c', `read _ < ${hold}`], scratch);
  const started = start(w.argv, { stdoutFile: w.stdoutFile, timeoutS: 300 });
  const fd = await waitFor('the traced idle shell to start', () => tryOpenWriter(hold), 60);
  const s0 = snapshot();
  const c0 = consumerCpu(started.pid);
  const dd = await run(['sh', '-c', DD_CMD]);
  const s1 = snapshot();
  const c1 = consumerCpu(started.pid);
  release(fd);
  const res = await started.done;
  if (res.code !== 0) throw new Error(`runtime-lens exited with ${res.code ?? res.signal}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return phase(diff(s0, s1), ddSeconds(dd.stderr, 'the untraced dd'), c1 - c0);
}
