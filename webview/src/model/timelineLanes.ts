/*
 * The timeline's data: one lane per process with its events' times (sorted)
 * and kind groups, plus the lookups the view needs — the visible slice of a
 * lane and the event nearest to a click.
 */
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { GROUP_NAMES, kindGroup } from './eventText';

/** One process's events, in time order. */
export interface Lane {
  /** the process key: a reused pid has a lane of its own */
  key: string;
  pid: number;
  comm: string;
  ts: number[];
  /** index into GROUP_NAMES */
  group: number[];
  events: LensEvent[];
}

/** First index in sorted `a` whose value is ≥ `x`. */
export function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Why it exists: keep per-process event times for drawing and hit-testing the timeline. */
export class TimelineModel {
  private readonly byKey = new Map<string, Lane>();
  readonly lanes: Lane[] = [];
  minTs = Infinity;
  maxTs = -Infinity;
  total = 0;
  /** marks dropped (oldest first) to stay under maxEvents */
  dropped = 0;
  version = 0;

  constructor(readonly maxEvents = 500_000) {
    if (!Number.isInteger(maxEvents) || maxEvents < 100) throw new RangeError(`TimelineModel: maxEvents must be an integer ≥ 100, got ${maxEvents}`);
  }

  addEvents(events: readonly LensEvent[]): void {
    for (const e of events) {
      let lane = this.byKey.get(e.key);
      if (!lane) {
        lane = { key: e.key, pid: e.pid, comm: e.comm, ts: [], group: [], events: [] };
        this.byKey.set(e.key, lane);
        this.lanes.push(lane);
      }
      if (e.kind === 'exec' || lane.events.length === 0) lane.comm = e.comm;
      const g = GROUP_NAMES.indexOf(kindGroup(e.kind));
      const n = lane.ts.length;
      if (n === 0 || lane.ts[n - 1] <= e.ts) {
        lane.ts.push(e.ts);
        lane.group.push(g);
        lane.events.push(e);
      } else {
        // Rare: an event older than the lane's last one; insert in place.
        const i = lowerBound(lane.ts, e.ts + Number.EPSILON);
        lane.ts.splice(i, 0, e.ts);
        lane.group.splice(i, 0, g);
        lane.events.splice(i, 0, e);
      }
      if (e.ts < this.minTs) this.minTs = e.ts;
      if (e.ts > this.maxTs) this.maxTs = e.ts;
      this.total++;
    }
    if (this.total > this.maxEvents) this.trimOldest();
    if (events.length) this.version++;
  }

  /** Drop the oldest marks (about a tenth of the span at a time) until under the bound. */
  private trimOldest(): void {
    while (this.total > this.maxEvents * 0.9 && this.maxTs > this.minTs) {
      const cutoff = this.minTs + (this.maxTs - this.minTs) * 0.1;
      let min = Infinity;
      for (const lane of this.lanes) {
        const n = lowerBound(lane.ts, cutoff);
        if (n) {
          lane.ts.splice(0, n);
          lane.group.splice(0, n);
          lane.events.splice(0, n);
          this.total -= n;
          this.dropped += n;
        }
        if (lane.ts.length) min = Math.min(min, lane.ts[0]);
      }
      this.minTs = min;
    }
    // Lanes of processes whose marks are all gone are dropped too.
    for (let i = this.lanes.length - 1; i >= 0; i--) {
      if (this.lanes[i].ts.length === 0) {
        this.byKey.delete(this.lanes[i].key);
        this.lanes.splice(i, 1);
      }
    }
  }

  clear(): void {
    this.byKey.clear();
    this.lanes.length = 0;
    this.minTs = Infinity;
    this.maxTs = -Infinity;
    this.total = 0;
    this.dropped = 0;
    this.version++;
  }

  /** The event of lane `laneIndex` nearest to time `ts`, if within `maxDistance` ms. */
  nearest(laneIndex: number, ts: number, maxDistance: number): LensEvent | null {
    const lane = this.lanes[laneIndex];
    if (!lane || lane.ts.length === 0) return null;
    const i = lowerBound(lane.ts, ts);
    let best = -1;
    let bestD = Infinity;
    for (const j of [i - 1, i]) {
      if (j < 0 || j >= lane.ts.length) continue;
      const d = Math.abs(lane.ts[j] - ts);
      if (d < bestD) { bestD = d; best = j; }
    }
    return best >= 0 && bestD <= maxDistance ? lane.events[best] : null;
  }

  /** Lane index and event for a selection key, or null. */
  find(key: string, keyOf: (e: LensEvent) => string): { lane: number; event: LensEvent } | null {
    for (let l = 0; l < this.lanes.length; l++) {
      const ev = this.lanes[l].events.find((e) => keyOf(e) === key);
      if (ev) return { lane: l, event: ev };
    }
    return null;
  }
}
