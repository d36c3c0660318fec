/*
 * The node-frames stage: events a launched target's Node processes caused
 * get the JS frames and source line of the call (NodeReports), after their
 * native frames when the symbolize stage gives those. The report channel is
 * drained once per packet, before its first record: every report written
 * before the packet's syscalls is then at hand.
 */
import type { Stage, StageContext } from '../../pipeline/stage';
import type { StagedRecord } from '../../pipeline/staged-record';

/** Adds JS frames to events; absent when the session has no Node reports (attach, or the channel could not be made). */
export function nodeFramesStage(ctx: StageContext): Stage | undefined {
  const node = ctx.node;
  if (!node) return undefined;
  let drained = false;
  return {
    name: 'node-frames',
    record(r: StagedRecord): void {
      if (r.inPlace || !r.event || !r.record) return;
      if (!drained) { node.drain(); drained = true; }
      const apply = node.annotate(r.event, r.record.tsNs);
      if (!apply) return;
      // a stage before this one may complete the event later (symbolize: native frames); the JS frames go after them
      if (r.hold) r.hold = r.hold.then(apply, apply);
      else apply();
    },
    flush(): void {
      drained = false;
    },
  };
}
