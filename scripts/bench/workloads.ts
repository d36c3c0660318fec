// The three workloads of the tracer benchmark and how one run of each is measured.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { measureLoad } from './http-load';
import { killGroup, processCpuS, processTree, run, start, waitFor } from './proc';
import { REPO, type Tracer } from './tracers';

export const WORKLOAD_IDS = ['dd', 'forkexec', 'http'] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/** One measured run of a workload under a tracer. */
export interface Sample {
  /** seconds by the workload's own clock (dd, forkexec) or requests/s (http) */
  value: number;
  lost: number | null;
  /** CPU of every process of the run, seconds (dd, forkexec) */
  cpuS?: number;
  /** wall time from the tracer's start to its exit (start-up and draining included), seconds (dd, forkexec) */
  wallS?: number;
  /** http: CPU shares over the measured window, percent of one core */
  serverCpuPct?: number;
  tracerCpuPct?: number;
  clientCpuPct?: number;
}

/** A workload: its variants (dd runs a smaller count under slow tracers) and one measured run. */
export interface Workload {
  id: WorkloadId;
  label: string;
  unit: 's' | 'req/s';
  /** prepares what runs need (compiles fixtures); throws with a fix when it cannot */
  prepare(scratch: string): void;
  /** the variant a tracer runs ('' when the workload has one) */
  variant(tracer: Tracer): string;
  /** how a variant's value compares to the full workload (dd: 1M / count), for the table's scaled times */
  scale(variant: string): number;
  runOnce(tracer: Tracer, variant: string, scratch: string): Promise<Sample>;
}

/** dd writes one byte per read+write pair: 2 syscalls per count. */
export const DD_FULL = 1_000_000;
/** dd count under tracers that stop the workload for every syscall (strace, perf trace, bpftrace printing). */
export const DD_SLOW = 100_000;
export const FORKEXEC_COUNT = 2000;

/** Shared result of one tracer-wrapped command. */
async function runWrapped(tracer: Tracer, cmd: string[], scratch: string, timeoutS: number) {
  const w = tracer.wrap(cmd, scratch);
  const res = await run(w.argv, { stdoutFile: w.stdoutFile, timeoutS });
  let traceText = '';
  if (w.scanFile && existsSync(w.scanFile)) {
    traceText = scanForLoss(w.scanFile);
    rmSync(w.scanFile, { force: true });
  }
  if (w.stdoutFile !== '/dev/null') rmSync(w.stdoutFile, { force: true });
  return { res, lost: tracer.lost(res.stderr, traceText) };
}

// Only the loss reports matter from a trace file: keep lines that mention lost events.
function scanForLoss(file: string): string {
  const r = spawnSync('grep', ['-ai', 'lost', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return r.stdout ?? '';
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
}

export const DD: Workload = {
  id: 'dd',
  label: `(a) dd bs=1 count=1M (2M syscalls), dd's clock`,
  unit: 's',
  prepare: () => {},
  variant: (t) => String(t.slowOnSyscalls ? DD_SLOW : DD_FULL),
  scale: (v) => DD_FULL / Number(v),
  runOnce: async (tracer, variant, scratch) => {
    const cmd = ['/usr/bin/dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${variant}`];
    const { res, lost } = await runWrapped(tracer, cmd, scratch, 300);
    const m = /copied, ([\d.]+) s/.exec(res.stderr);
    if (!m || res.code !== 0) throw new Error(`dd under ${tracer.label} failed (exit ${res.code ?? res.signal}): ${lastLine(res.stderr)}`);
    return { value: Number(m[1]), lost, cpuS: res.cpuS, wallS: res.wallS };
  },
};

export const FORKEXEC: Workload = {
  id: 'forkexec',
  label: `(b) ${FORKEXEC_COUNT} fork+exec of /bin/true, own clock`,
  unit: 's',
  prepare: (scratch) => {
    const src = path.join(REPO, 'test', 'fixtures', 'bench', 'forkexec.c');
    const r = spawnSync('cc', ['-O2', '-o', path.join(scratch, 'forkexec'), src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench: compiling ${src} failed (install gcc: apt-get install gcc): ${r.stderr || r.error}`);
  },
  variant: () => '',
  scale: () => 1,
  runOnce: async (tracer, _variant, scratch) => {
    const cmd = [path.join(scratch, 'forkexec'), String(FORKEXEC_COUNT)];
    const { res, lost } = await runWrapped(tracer, cmd, scratch, 300);
    const m = /fork\+exec in ([\d.]+) s/.exec(res.stderr);
    if (!m || res.code !== 0) throw new Error(`forkexec under ${tracer.label} failed (exit ${res.code ?? res.signal}): ${lastLine(res.stderr)}`);
    return { value: Number(m[1]), lost, cpuS: res.cpuS, wallS: res.wallS };
  },
};

/** Load parameters of workload (c). */
export const HTTP_LOAD = { connections: 16, warmupS: 1, seconds: 5 };

export const HTTP: Workload = {
  id: 'http',
  label: '(c) Node HTTP server, keep-alive load from a local Node client',
  unit: 'req/s',
  prepare: () => {},
  variant: () => '',
  scale: () => 1,
  runOnce: async (tracer, _variant, scratch) => {
    const ready = path.join(scratch, 'http-ready.json');
    rmSync(ready, { force: true });
    const server = path.join(REPO, 'test', 'fixtures', 'bench', 'http-server.js');
    const w = tracer.wrap([process.execPath, server, ready], scratch);
    const started = start(w.argv, { stdoutFile: w.stdoutFile, timeoutS: 300 });
    let exited = false;
    void started.done.then(() => (exited = true));
    try {
      const info = await waitFor(`the HTTP server under ${tracer.label} to listen`, () => {
        if (exited) throw new Error(`the HTTP server under ${tracer.label} exited before listening`);
        return existsSync(ready) ? (JSON.parse(readFileSync(ready, 'utf8')) as { pid: number; port: number }) : undefined;
      }, 120);
      const cpu = { server: 0, tracer: 0 };
      const sample = (sign: 1 | -1) => {
        for (const pid of processTree(started.pid)) {
          const c = processCpuS(pid) * sign;
          if (pid === info.pid) cpu.server += c;
          else cpu.tracer += c;
        }
      };
      const load = await measureLoad(info.port, HTTP_LOAD.connections, HTTP_LOAD.warmupS, HTTP_LOAD.seconds,
        (phase) => sample(phase === 'start' ? -1 : 1));
      killGroupMember(info.pid);
      const res = await started.done;
      if (load.requests === 0) throw new Error(`no request completed under ${tracer.label}: ${lastLine(res.stderr)}`);
      let traceText = '';
      if (w.scanFile && existsSync(w.scanFile)) {
        traceText = scanForLoss(w.scanFile);
        rmSync(w.scanFile, { force: true });
      }
      if (w.stdoutFile !== '/dev/null') rmSync(w.stdoutFile, { force: true });
      return {
        value: load.requests / load.seconds,
        lost: tracer.lost(res.stderr, traceText),
        serverCpuPct: (cpu.server / load.seconds) * 100,
        tracerCpuPct: (cpu.tracer / load.seconds) * 100,
        clientCpuPct: (load.clientCpuS / load.seconds) * 100,
      };
    } finally {
      if (!exited) {
        killGroup(started.pid, 'SIGKILL');
        await started.done;
      }
    }
  },
};

// The server ends on SIGTERM; its tracer then ends by itself and prints its summary.
function killGroupMember(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export const WORKLOADS: Record<WorkloadId, Workload> = { dd: DD, forkexec: FORKEXEC, http: HTTP };
