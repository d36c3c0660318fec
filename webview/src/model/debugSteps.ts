/*
 * The steps of a traced debug run as the events view uses them: which step
 * an event belongs to, and the time range of one step.
 */
import type { DebugStepMark } from '../messages';

/** The step an event at `ts` belongs to (the last one started at or before it), or undefined before the first. */
export function stepAt(steps: readonly DebugStepMark[], ts: number): DebugStepMark | undefined {
  let lo = 0;
  let hi = steps.length - 1;
  let found: DebugStepMark | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid].from <= ts) { found = steps[mid]; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

/** The time range of a step: up to the next step, or open while it is the current one. */
export function stepRange(step: DebugStepMark): { from: number; to: number } {
  return { from: step.from, to: step.to ?? Number.MAX_SAFE_INTEGER };
}

/** How a step is named in the step filter and at its boundary. */
export function stepLabel(step: DebugStepMark): string {
  return step.stoppedAt !== undefined ? `Step ${step.index} (stopped: ${step.reason ?? 'pause'})` : `Step ${step.index} (running)`;
}
