/*
 * Latency percentiles from the kernel's log2 histograms (struct lens_sysagg_val.hist).
 */

/** Percentile of a log2 latency histogram: the upper bound of the bucket holding it, never above the largest latency seen (maxNs). */
export function histPercentile(hist: readonly number[], count: number, p: number, maxNs = Infinity): number {
  if (!count) return 0;
  const target = count * p;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= target) return Math.min(2 ** (i + 1), maxNs);
  }
  return Math.min(2 ** hist.length, maxNs);
}
