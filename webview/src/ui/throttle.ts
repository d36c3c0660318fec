/*
 * Redraw pacing for the graph views: at most one redraw per animation frame
 * and no more often than `minIntervalMs`, so a 20k events/s stream does not
 * relayout a graph on every batch.
 */

/** Calls `run` soon after `request()`, at most once per frame and per interval. */
export class Throttle {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private frame = false;
  private last = 0;

  constructor(private readonly run: () => void, private readonly minIntervalMs: number) {}

  request(): void {
    if (this.timer !== null || this.frame) return;
    const wait = Math.max(0, this.last + this.minIntervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.frame = true;
      requestAnimationFrame(() => {
        this.frame = false;
        this.last = performance.now();
        this.run();
      });
    }, wait);
  }
}
