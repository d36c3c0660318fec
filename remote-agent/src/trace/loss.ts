/*
 * Events that never reached the agent because the probe died. The probe's
 * periodic STATS go ahead of its queued records and say how many records of
 * each kind were committed to its output by then; its final STATS, behind
 * every record, says the session ended in order. Without that final report,
 * whatever was committed but not received is lost, and what came after the
 * last report cannot be known.
 */
import type { ProbeStats } from '../decode/control';
import { KIND_MAX } from '../decode/layout';
import { KIND_NAMES } from '../enrich/enricher';
import type { LossStats } from './session';

/**
 * `loss` with the records `stats` committed that were never received added (per kind and in
 * lostTotal). When the probe died (no final STATS), lostBound says lostTotal is only a lower
 * bound ('atLeast'), or 'unknown' when nothing shows how much was lost.
 */
export function withUndelivered(loss: LossStats, stats: ProbeStats | undefined, received: ArrayLike<number>, died: boolean): LossStats {
  const lost = { ...loss.lost };
  let lostTotal = loss.lostTotal;
  for (let k = 1; stats && k < KIND_MAX; k++) {
    const missing = stats.committed[k] - received[k];
    const name = KIND_NAMES[k];
    if (missing <= 0 || !name) continue;
    lost[name] = (lost[name] ?? 0) + missing;
    lostTotal += missing;
  }
  const reasons = { ...loss.reasons };
  if (lostTotal > loss.lostTotal) reasons.probe_died = (reasons.probe_died ?? 0) + lostTotal - loss.lostTotal;
  const out: LossStats = { ...loss, lost, lostTotal, reasons };
  if (died) out.lostBound = lostTotal > 0 ? 'atLeast' : 'unknown';
  return out;
}
