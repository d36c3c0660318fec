/*
 * Latency percentiles from a log-linear histogram: each power of two is split
 * into SUB buckets, so any estimate is within ~1/SUB (≈ 6 %) of the true
 * value, in constant memory per (process, syscall) whatever the event rate.
 */

const SUB = 16;
const MAX_EXP = 40; // 2^40 ns ≈ 18 minutes; larger values land in the last bucket

/** Why it exists: p50/p95/p99 of a live stream without keeping every sample. */
export class LatencyHistogram {
  private readonly buckets = new Uint32Array(MAX_EXP * SUB + 1);
  count = 0;
  total = 0;
  max = 0;
  min = Infinity;

  add(ns: number): void {
    if (!(ns >= 0)) return;
    this.buckets[bucketOf(ns)]++;
    this.count++;
    this.total += ns;
    if (ns > this.max) this.max = ns;
    if (ns < this.min) this.min = ns;
  }

  /** Estimated q-quantile (0 < q ≤ 1), in ns; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    if (!(q > 0 && q <= 1)) throw new RangeError(`quantile: q must be in (0, 1], got ${q}`);
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let b = 0; b < this.buckets.length; b++) {
      seen += this.buckets[b];
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, midpoint(b)));
    }
    return this.max;
  }
}

function bucketOf(ns: number): number {
  if (ns < SUB) return Math.floor(ns); // exact for tiny values
  const exp = Math.floor(Math.log2(ns));
  if (exp >= MAX_EXP) return MAX_EXP * SUB;
  const frac = ns / 2 ** exp - 1; // in [0, 1)
  return exp * SUB + Math.min(SUB - 1, Math.floor(frac * SUB));
}

function midpoint(b: number): number {
  if (b < SUB) return b;
  const exp = Math.floor(b / SUB);
  const sub = b % SUB;
  return 2 ** exp * (1 + (sub + 0.5) / SUB);
}
