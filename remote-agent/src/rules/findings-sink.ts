/*
 * A sink that keeps the findings of a session (for `--fail-on` and
 * `--sarif`), whatever the other sinks write; syscall records stay in place.
 */
import type { Sink, SinkFactory } from '../pipeline/stage';
import type { StagedRecord } from '../pipeline/staged-record';
import type { FindingEvent } from '../protocol';

/** Hands each finding to `found` as it reaches the sinks. */
export function findingsSink(found: (f: FindingEvent) => void): SinkFactory {
  return (): Sink => ({
    record(r: StagedRecord): void {
      if (r.event?.kind === 'finding') found(r.event);
    },
    syscall(): void { /* syscall records are never findings */ },
    flush(): void { /* nothing is batched */ },
  });
}
