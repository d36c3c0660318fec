/*
 * Latency percentiles from the kernel's log2 histograms (struct lens_sysagg_val.hist).
 */

/** Percentile of a log2 latency histogram: the upper bound of the bucket holding it. */
export function histPercentile(hist: readonly number[], count: number, p: number): number {
  if (!count) return 0;
  const target = count * p;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= target) return 2 ** (i + 1);
  }
  return 2 ** hist.length;
}
