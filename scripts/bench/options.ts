// Command-line options of `npm run bench`, validated before anything runs.
import { TRACER_IDS, type TracerId } from './tracers';
import { WORKLOAD_IDS, type WorkloadId } from './workloads';

/** Parts of the benchmark, selectable with --sections. */
export const SECTIONS = ['tracers', 'kernel', 'decode', 'webview', 'memory', 'stacks', 'remote'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  reps: number;
  workloads: WorkloadId[];
  tracers: TracerId[];
  sections: Section[];
  /** extension memory soak: 10 minutes instead of 60 s */
  long: boolean;
  updateReadme: boolean;
  /** where the markdown report is written (the results go beside it as .json) */
  out: string;
  /** render the report from a saved results file instead of measuring */
  fromJson: string | null;
}

export const USAGE = `usage: npm run bench -- [options]
  --reps N              runs per cell, median reported (default 3)
  --quick               one run per cell, smaller stacks measurements (a smoke run of the harness)
  --workloads LIST      comma-separated: ${WORKLOAD_IDS.join(',')} (default all)
  --tracers LIST        comma-separated: ${TRACER_IDS.join(',')} (default all; 'none' is always run)
  --sections LIST       comma-separated parts to run (default all):
                          tracers  workloads × tracers table
                          kernel   ns per BPF program run (BPF run-time statistics)
                          decode   the agent's decode micro-benchmark
                          webview  events table in Chromium, 100k events at 20k/s
                          memory   extension event path memory at 20k events/s (60 s)
                          stacks   source linking: exact file:line per language over the corpus,
                                   kernel cost of --stacks, warm symbolization, agent memory under
                                   many processes (with tracers on http: stacks on vs off)
                          remote   over SSH to the sshd test host: time to first event (warm
                                   connection) and events/s without loss
  --long                memory soak for 10 minutes instead of 60 s
  --update-readme       write the report into README.md between the bench markers
  --out FILE            report file (default test-output/bench.md; results saved beside it as .json)
  --from-json FILES     render the report (and --update-readme) from saved results, measuring nothing;
                        comma-separated files are merged (e.g. a full run and a --long memory run)
  --help                this text`;

function list<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T[] {
  if (!value) throw new Error(`bench: ${flag} needs a comma-separated list of: ${allowed.join(', ')}`);
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new Error(`bench: ${flag}: unknown '${item}', expected one of: ${allowed.join(', ')}`);
  }
  return allowed.filter((a) => items.includes(a));
}

/** Parses argv (without node and script); throws an Error naming the bad argument. Returns null for --help. */
export function parseOptions(argv: string[]): BenchOptions | null {
  const o: BenchOptions = {
    reps: 3,
    workloads: [...WORKLOAD_IDS],
    tracers: [...TRACER_IDS],
    sections: [...SECTIONS],
    long: false,
    updateReadme: false,
    out: 'test-output/bench.md',
    fromJson: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--help':
      case '-h':
        return null;
      case '--reps': {
        const n = Number(argv[++i]);
        if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`bench: --reps needs a whole number from 1 to 50, got '${argv[i] ?? ''}'`);
        o.reps = n;
        break;
      }
      case '--quick':
        o.reps = 1;
        break;
      case '--workloads':
        o.workloads = list(a, argv[++i], WORKLOAD_IDS);
        break;
      case '--tracers':
        o.tracers = list(a, argv[++i], TRACER_IDS);
        if (!o.tracers.includes('none')) o.tracers.unshift('none');
        break;
      case '--sections':
        o.sections = list(a, argv[++i], SECTIONS);
        break;
      case '--long':
        o.long = true;
        break;
      case '--update-readme':
        o.updateReadme = true;
        break;
      case '--out':
        if (!argv[i + 1]) throw new Error('bench: --out needs a file name');
        o.out = argv[++i]!;
        break;
      case '--from-json':
        if (!argv[i + 1]) throw new Error('bench: --from-json needs the results file of an earlier run (e.g. test-output/bench.json)');
        o.fromJson = argv[++i]!;
        break;
      default:
        throw new Error(`bench: unknown option '${a}'\n${USAGE}`);
    }
  }
  return o;
}

/** The number after `--name` on the command line of a standalone bench script, or `dflt`. */
export function numberArg(name: string, dflt: number, argv: readonly string[] = process.argv): number {
  const at = argv.indexOf(name);
  return at > 0 ? Number(argv[at + 1]) : dflt;
}
