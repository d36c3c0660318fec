/*
 * `trace --baseline FILE`: reads the profile, adds the drift stage, counts
 * syscalls when the baseline has them, and at the end names the syscalls
 * the run used that the baseline did not (known only from the counts, so
 * they are reported on stderr, not as events).
 */
import { readFileSync } from 'node:fs';
import type { StageFactory } from '../pipeline/stage';
import type { SyscallSummaryRow } from '../protocol';
import { UsageError, type TraceArgs } from '../trace/trace-command';
import { DriftDetector, driftText } from './drift';
import { driftStage } from './drift-stage';
import { parseProfile, ProfileError } from './profile';

/** What --baseline adds to a trace. */
export interface DriftOption {
  /** the trace's arguments, with the syscount group when the baseline has syscalls */
  args: TraceArgs;
  stages: StageFactory[];
  ended(summary: readonly SyscallSummaryRow[]): void;
}

/** Sets up drift findings against the profile in `file`; a file that is not one is a usage error naming it. */
export function driftAgainst(file: string, args: TraceArgs, warn: (message: string) => void): DriftOption {
  let detector: DriftDetector;
  try {
    detector = new DriftDetector(parseProfile(readFileSync(file, 'utf8'), file));
  } catch (e) {
    if (e instanceof ProfileError) throw new UsageError(`--baseline: ${e.message}`);
    throw new UsageError(`--baseline: cannot read ${file}: ${(e as Error).message}`);
  }
  const count = detector.comparesSyscalls && !args.events.includes('syscount');
  return {
    args: count ? { ...args, events: [...args.events, 'syscount'] } : args,
    stages: [driftStage(detector, process.cwd())],
    ended(summary) {
      if (!detector.comparesSyscalls) { warn(`syscalls not compared: ${file} was recorded without them`); return; }
      for (const d of detector.checkSyscalls(summary.map((r) => r.name))) warn(`${driftText(d)} (a syscall not in the baseline)`);
    },
  };
}
