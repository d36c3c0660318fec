// The tracers compared by the benchmark: how each wraps a workload command and how it reports lost events.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { floorTracer } from './floor';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TRACER_IDS = ['none', 'floor-default', 'lens-default', 'lens-default-norules', 'lens-stacks', 'floor-syscall', 'lens-syscall', 'strace', 'perf-trace', 'bpftrace'] as const;
export type TracerId = (typeof TRACER_IDS)[number];

/** How to run one workload under one tracer. */
export interface Wrapped {
  argv: string[];
  /** where the run's stdout goes ('/dev/null' unless the tracer's loss report is written there) */
  stdoutFile: string;
  /** a file the tracer writes its trace to: scanned for loss reports after the run, then deleted */
  scanFile?: string;
}

/** One tracer: a label for the table, a wrapper, and its lost-event count after a run. */
export interface Tracer {
  id: TracerId;
  label: string;
  /** how the tracer is run, for the table's notes */
  command: string;
  /** null when usable, else why not and how to fix it */
  unavailable(): string | null;
  wrap(cmd: string[], scratch: string): Wrapped;
  /** lost events the tracer reported for the run (in its stderr or its trace file), null when it has no such report */
  lost(stderr: string, traceText: string): number | null;
  /** slow tracers run dd on a smaller count; the ratio is taken against untraced dd at that count */
  slowOnSyscalls: boolean;
}

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LENS_BUNDLE = path.join(REPO, 'remote-agent', 'dist', 'runtime-lens.js');
const LENS_PROBE = path.join(REPO, 'bpf', 'linux', '.output', 'lens-probe');
const LENS_SYMBOLIZE = path.join(REPO, 'remote-agent', 'native', '.output', 'lens-symbolize');

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function lensLost(stderr: string): number | null {
  const all = [...stderr.matchAll(/\blost=(\d+)/g)];
  return all.length ? Number(all[all.length - 1]![1]) : null;
}

/** Where the copies of the agent bundle and probe used by this run live (see snapshotLens). */
let lensCopy: { bundle: string; probe: string } | null = null;

/**
 * Copies the built agent bundle, probe and symbolizer into scratch, so that a
 * rebuild in the working tree during the benchmark cannot mix versions or
 * remove them mid-run. The bundle finds the probe and lens-symbolize beside
 * it; LENS_PROBE names the probe too.
 */
export function snapshotLens(scratch: string): void {
  const dir = path.join(scratch, 'runtime-lens');
  mkdirSync(dir, { recursive: true });
  const bundle = path.join(dir, 'runtime-lens.js');
  const probe = path.join(dir, 'lens-probe');
  copyFileSync(LENS_BUNDLE, bundle);
  copyFileSync(LENS_PROBE, probe);
  chmodSync(probe, 0o755);
  if (existsSync(LENS_SYMBOLIZE)) {
    copyFileSync(LENS_SYMBOLIZE, path.join(dir, 'lens-symbolize'));
    chmodSync(path.join(dir, 'lens-symbolize'), 0o755);
  }
  lensCopy = { bundle, probe };
}

/* runtime-lens as `npx runtime-lens trace` runs it (the developer ruleset on; lens-default-norules: off), with extra flags. */
function lens(id: 'lens-default' | 'lens-default-norules' | 'lens-stacks' | 'lens-syscall', events: string, extra: string[] = []): Tracer {
  return {
    id,
    label: id === 'lens-syscall' ? 'runtime-lens (syscall stream)' : `runtime-lens (${events}${extra.length ? ` ${extra.join(' ')}` : ''})`,
    command: `runtime-lens trace --json --events ${events}${extra.map((a) => ` ${a}`).join('')} -- CMD > /dev/null`,
    unavailable: () => {
      if (!existsSync(LENS_BUNDLE)) return 'agent bundle remote-agent/dist/runtime-lens.js missing: run npm run build';
      if (!existsSync(LENS_PROBE)) return 'probe bpf/linux/.output/lens-probe missing: run make -C bpf/linux';
      return null;
    },
    // The bundle is run with node directly: the same code `npx runtime-lens` runs, without npx's start-up.
    wrap: (cmd) => {
      if (!lensCopy) throw new Error('bench: snapshotLens() must run before runtime-lens is used');
      return {
        argv: ['env', `LENS_PROBE=${lensCopy.probe}`, process.execPath, lensCopy.bundle, 'trace', '--json', '--events', events, ...extra, '--', ...cmd],
        stdoutFile: '/dev/null',
      };
    },
    lost: (stderr) => lensLost(stderr),
    slowOnSyscalls: false,
  };
}

// bpftrace -c follows only the one pid it starts: descendants are added to @t at fork.
const BPFTRACE_PROG =
  'tracepoint:sched:sched_process_fork /pid == cpid || @t[pid]/ { @t[args->child_pid] = 1; } ' +
  'tracepoint:raw_syscalls:sys_enter /pid == cpid || @t[pid]/ { printf("%d %d %s %ld\\n", pid, tid, comm, args->id); }';

/** All tracers, in table order. */
export const TRACERS: Record<TracerId, Tracer> = {
  none: {
    id: 'none',
    label: 'untraced',
    command: 'CMD',
    unavailable: () => null,
    wrap: (cmd) => ({ argv: cmd, stdoutFile: '/dev/null' }),
    lost: () => null,
    slowOnSyscalls: false,
  },
  'floor-default': floorTracer('floor-default', 'exec,file,net,dns', ['process', 'file', 'net', 'dns']),
  'lens-default': lens('lens-default', 'exec,file,net,dns'),
  'lens-stacks': lens('lens-stacks', 'exec,file,net,dns', ['--stacks']),
  'lens-default-norules': lens('lens-default-norules', 'exec,file,net,dns', ['--no-default-rules']),
  'floor-syscall': floorTracer('floor-syscall', 'syscall', ['process', 'syscall']),
  'lens-syscall': lens('lens-syscall', 'syscall'),
  strace: {
    id: 'strace',
    label: 'strace -f',
    command: 'strace -f -o /dev/null CMD',
    unavailable: () => (which('strace') ? null : 'strace not installed: apt-get install strace'),
    wrap: (cmd) => ({ argv: ['strace', '-f', '-o', '/dev/null', ...cmd], stdoutFile: '/dev/null' }),
    lost: () => null,
    slowOnSyscalls: true,
  },
  'perf-trace': {
    id: 'perf-trace',
    label: 'perf trace',
    command: 'perf trace -o FILE CMD (FILE scanned for LOST records, then deleted)',
    unavailable: () => {
      if (!which('perf')) return 'perf not installed: apt-get install linux-perf';
      const r = spawnSync('perf', ['trace', '-o', '/dev/null', '--', 'true'], { encoding: 'utf8' });
      return r.status === 0 ? null : `perf trace does not run here: ${(r.stderr || '').trim().split('\n').pop()}`;
    },
    wrap: (cmd, scratch) => {
      const out = path.join(scratch, 'perf-trace.out');
      return { argv: ['perf', 'trace', '-o', out, '--', ...cmd], stdoutFile: '/dev/null', scanFile: out };
    },
    lost: (stderr, traceText) => {
      const m = [...(stderr + traceText).matchAll(/LOST (\d+) events/gi)];
      return m.reduce((n, x) => n + Number(x[1]), 0);
    },
    slowOnSyscalls: true,
  },
  bpftrace: {
    id: 'bpftrace',
    label: 'bpftrace (printf per sys_enter)',
    command: "bpftrace -e 'sched_process_fork: follow children; raw_syscalls:sys_enter /pid == cpid || @t[pid]/ { printf }' -c CMD > FILE",
    unavailable: () => (which('bpftrace') ? null : 'bpftrace not installed: apt-get install bpftrace'),
    wrap: (cmd, scratch) => ({
      // -c needs an unambiguous path; the shell form keeps argv quoting simple for our commands.
      argv: ['bpftrace', '-e', BPFTRACE_PROG, '-c', cmd.map(shellQuote).join(' ')],
      stdoutFile: path.join(scratch, 'bpftrace.out'),
      scanFile: path.join(scratch, 'bpftrace.out'),
    }),
    lost: (stderr, traceText) => {
      const m = [...(stderr + traceText).matchAll(/^Lost (\d+) events/gm)];
      return m.reduce((n, x) => n + Number(x[1]), 0);
    },
    slowOnSyscalls: true,
  },
};

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
