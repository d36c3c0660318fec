/*
 * The drift stage (`trace --baseline FILE`): every complete event is compared
 * with the baseline, and what is new follows it as a finding.
 */
import type { StageFactory } from '../pipeline/stage';
import { driftFinding, type DriftDetector } from './drift';

/** A stage reporting drift against `detector`'s baseline; paths under `root` are written relative to it. */
export function driftStage(detector: DriftDetector, root?: string): StageFactory {
  return () => ({
    name: 'drift',
    record(): void {},
    complete(r) {
      const e = r.toEvent();
      if (e.kind === 'finding') return undefined;
      const drifts = detector.check(e);
      return drifts.length ? drifts.map((d) => driftFinding({ ...d, event: e }, root)) : undefined;
    },
  });
}
