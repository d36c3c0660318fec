/*
 * The python-attach stage: events of attached Python processes get the
 * Python frames the kernel read at their syscall (PythonAttach). It runs
 * after symbolize: native frames still coming go first.
 */
import type { Stage, StageContext } from '../../../pipeline/stage';
import type { StagedRecord } from '../../../pipeline/staged-record';

/** Adds kernel-read Python frames to events; absent when the session cannot have them. */
export function pythonAttachStage(ctx: StageContext): Stage | undefined {
  const attach = ctx.pythonAttach;
  if (!attach) return undefined;
  return {
    name: 'python-attach',
    record(r: StagedRecord): void {
      if (r.inPlace || !r.event || !r.record) return;
      const later = attach.event(r.event, r.record.pystack, r.hold);
      if (later) r.hold = later;
    },
    syscall(): void { /* syscall records carry no Python frames */ },
    close(): void { attach.close(); },
  };
}
