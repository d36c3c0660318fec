/*
 * The python-frames stage: events a launched target's Python processes
 * caused get the Python frames and source line of the call (PythonReports).
 * The report channel is drained once per packet, before its first record:
 * every report written before the packet's syscalls is then at hand. It runs
 * after symbolize: an event whose native frames are still coming is held
 * until they are there, and gets its Python frames after them.
 */
import type { Stage, StageContext } from '../../pipeline/stage';
import type { StagedRecord } from '../../pipeline/staged-record';

/** Adds Python frames to events; absent when the session has no Python reports (attach, or the channel could not be made). */
export function pythonFramesStage(ctx: StageContext): Stage | undefined {
  const python = ctx.python;
  if (!python) return undefined;
  let drained = false;
  return {
    name: 'python-frames',
    record(r: StagedRecord): void {
      if (r.inPlace || !r.event || !r.record) return;
      if (!drained) { python.drain(); drained = true; }
      const later = python.annotate(r.event, r.record.tsNs, r.hold);
      if (later) r.hold = later;
    },
    flush(): void {
      drained = false;
    },
  };
}
