/*
 * Event counts per kind and the one-line summary `trace` prints on stderr.
 */
import { lossReasonsText, type EventKind, type LensEvent, type LossReason, type LostBound } from '../protocol';
import type { CountedKind } from '../model/event-model';

/** Counts events per kind as they are delivered. */
export class EventCounts {
  readonly byKind: Partial<Record<EventKind, number>> = {};
  total = 0;

  add(events: readonly LensEvent[]): void {
    for (const ev of events) this.byKind[ev.kind] = (this.byKind[ev.kind] ?? 0) + 1;
    this.total += events.length;
  }

  /** Adds counts already made per kind (NDJSON batches). */
  addCounts(byKind: Partial<Record<EventKind, number>>, total: number): void {
    for (const k in byKind) {
      const kind = k as EventKind;
      this.byKind[kind] = (this.byKind[kind] ?? 0) + (byKind[kind] ?? 0);
    }
    this.total += total;
  }
}

/** `lost=N`, `lost>=N` (the probe died after losing at least N) or `lost=unknown`. */
export function lostText(lostTotal: number, bound: LostBound | undefined): string {
  if (bound === 'unknown') return 'lost=unknown';
  return bound === 'atLeast' ? `lost>=${lostTotal}` : `lost=${lostTotal}`;
}

/**
 * `runtime-lens: 12 events (exec=2 open=8 exit=2) lost=0` — always with lost=N, also when 0
 * (`lost>=N` or `lost=unknown` when the probe died), followed by which kinds and why when known
 * (`lost=7 (rename 5, open 2; buffers full 7)`), plus what else went wrong (malformed records, a cut stream).
 */
export function summaryLine(
  counts: EventCounts, lost: number, extras: readonly string[] = [], bound?: LostBound, reasons?: Partial<Record<LossReason, number>>,
  lostByKind: Partial<Record<CountedKind, number>> = {},
): string {
  const kinds = Object.entries(counts.byKind).map(([k, n]) => `${k}=${n}`).join(' ');
  const which = Object.entries(lostByKind).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ');
  const why = lost ? [which, lossReasonsText(reasons)].filter(Boolean).join('; ') : '';
  return `runtime-lens: ${counts.total} events${kinds ? ` (${kinds})` : ''} ${lostText(lost, bound)}${why ? ` (${why})` : ''}${extras.length ? ' ' + extras.join(' ') : ''}`;
}
