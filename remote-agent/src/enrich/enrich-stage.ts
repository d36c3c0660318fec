/*
 * The enrich stage: every record updates the session's tables (processes,
 * fds, DNS names) and gets its event; syscall records stay in place, their
 * fd changes applied once the sinks have seen them.
 */
import { Kind } from '../decode/layout';
import type { Stage, StageContext } from '../pipeline/stage';
import type { StagedRecord } from '../pipeline/staged-record';

/** Turns records into events with the session's Enricher. */
export function enrichStage(ctx: StageContext): Stage {
  const e = ctx.enricher;
  return {
    name: 'enrich',
    record(r: StagedRecord): void {
      if (r.record) {
        // code mappings are the symbolize stage's, not events
        if (r.record.kind !== Kind.MMAP) r.event = e.enrich(r.record);
      } else {
        e.syscallAt(r.buf, r.dv, r.off);
      }
    },
    syscall(buf: Buffer, dv: DataView, off: number): void {
      e.syscallAt(buf, dv, off);
    },
    flush(): void {
      e.settle();
    },
  };
}
