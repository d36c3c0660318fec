/*
 * Delivered and lost events per kind, from the probe's STATS packets; and
 * events that never reached the agent because the probe died. The probe's
 * periodic STATS go ahead of its queued records and say how many records of
 * each kind were committed to its output by then; its final STATS, behind
 * every record, says the session ended in order. Without that final report,
 * whatever was committed but not received is lost, and what came after the
 * last report cannot be known.
 */
import type { ProbeStats } from '../decode/control';
import { KIND_MAX } from '../decode/layout';
import { COUNTED_KIND_OF_VALUE, KINDS, type CountedKind } from '../model/event-model';
import type { EventKind, LossReason, LostBound } from '../protocol';

/** Delivered/lost counters by event kind, from the probe's latest STATS packet. */
export interface LossStats {
  events: Partial<Record<EventKind, number>>;
  /** by kind, records that are not events (code mappings) included */
  lost: Partial<Record<CountedKind, number>>;
  lostTotal: number;
  /** lostTotal by reason */
  reasons: Partial<Record<LossReason, number>>;
  queuedBytes: number;
  /** the probe died: lostTotal is a lower bound, or unknown (withUndelivered) */
  lostBound?: LostBound;
}

/** Converts cumulative STATS into per-kind maps. */
export function lossStats(s: ProbeStats): LossStats {
  const events: Partial<Record<EventKind, number>> = {};
  const lost: Partial<Record<CountedKind, number>> = {};
  let lostTotal = 0;
  for (let k = 1; k < KIND_MAX; k++) {
    const name = COUNTED_KIND_OF_VALUE[k];
    if (!name) continue;
    if (s.events[k] && name in KINDS) events[name as EventKind] = (events[name as EventKind] ?? 0) + s.events[k];
    if (s.dropped[k]) { lost[name] = (lost[name] ?? 0) + s.dropped[k]; lostTotal += s.dropped[k]; }
  }
  lostTotal += s.dropped[0] ?? 0; // kind 0: drops the probe could not attribute
  return { events, lost, lostTotal, reasons: lostTotal ? { buffers_full: lostTotal } : {}, queuedBytes: s.queuedBytes };
}

/**
 * `loss` with the records `stats` committed that were never received added to lostTotal (not per
 * kind: the agent counts what it receives per packet, not per record). When the probe died (no
 * final STATS), lostBound says lostTotal is only a lower bound ('atLeast'), or 'unknown' when
 * nothing shows how much was lost.
 */
export function withUndelivered(loss: LossStats, stats: ProbeStats | undefined, received: number, died: boolean): LossStats {
  let committed = 0;
  for (let k = 0; stats && k < KIND_MAX; k++) committed += stats.committed[k];
  const missing = Math.max(0, committed - received);
  const reasons = { ...loss.reasons };
  if (missing > 0) reasons.probe_died = (reasons.probe_died ?? 0) + missing;
  const out: LossStats = { ...loss, lostTotal: loss.lostTotal + missing, reasons };
  if (died) out.lostBound = out.lostTotal > 0 ? 'atLeast' : 'unknown';
  return out;
}
