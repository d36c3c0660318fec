// Events table benchmark: the built webview bundle in Chromium while 100k events arrive at 20k/s
// (frame times while streaming and while scrolling the full table afterwards).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { median } from './proc';
import { REPO } from './tracers';

export const WEBVIEW_LOAD = { rate: 20_000, total: 100_000, batchMs: 33 };
const CHROMIUM = process.env.LENS_CHROMIUM ?? '/usr/bin/chromium';
const PAGE = path.join(REPO, 'test', 'fixtures', 'bench', 'webview-table.html');
const BUNDLE = path.join(REPO, 'webview', 'dist', 'webview.js');

/** Frame-interval statistics of one phase, ms. */
export interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** frames longer than 50 ms */
  over50: number;
  /** main-thread long tasks (> 50 ms) in the phase: count and total ms */
  longTasks: number;
  longTaskMs: number;
}

export interface WebviewTableResult {
  streaming: FrameStats;
  scrolling: FrameStats;
  /** time from the first batch sent to the last, s (20k/s means 5 s for 100k) */
  streamS: number;
  /** rows the table reports at the end (aria-rowcount minus the header row) */
  rows: number;
  heapMB: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(frames: number[], longTasks: Array<[number, number]>, from: number, to: number): FrameStats {
  const inside = frames.filter((t) => t >= from && t <= to);
  const intervals = inside.slice(1).map((t, i) => t - inside[i]!).sort((a, b) => a - b);
  const lt = longTasks.filter(([s]) => s >= from && s <= to);
  return {
    frames: intervals.length,
    p50: intervals.length ? median(intervals) : 0,
    p95: percentile(intervals, 95),
    p99: percentile(intervals, 99),
    max: intervals.length ? intervals[intervals.length - 1]! : 0,
    over50: intervals.filter((d) => d > 50).length,
    longTasks: lt.length,
    longTaskMs: lt.reduce((s, [, d]) => s + d, 0),
  };
}

interface PageBench {
  ready: boolean;
  frames: number[];
  longTasks: Array<[number, number]>;
  sentAt: number[];
  done: boolean;
}

/** Null when the benchmark can run, else why not and how to fix it. */
export function webviewTableUnavailable(): string | null {
  if (!existsSync(BUNDLE)) return 'webview/dist/webview.js missing: run npm run build';
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} missing: apt-get install chromium (or set LENS_CHROMIUM)`;
  return null;
}

/** Streams WEBVIEW_LOAD into the events table in headless Chromium, then scrolls it; returns frame statistics. */
export async function measureWebviewTable(): Promise<WebviewTableResult> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const url = `${pathToFileURL(PAGE).href}?rate=${WEBVIEW_LOAD.rate}&total=${WEBVIEW_LOAD.total}&batchMs=${WEBVIEW_LOAD.batchMs}`;
    await page.goto(url);
    await page.waitForSelector('#events-table', { timeout: 30_000 });
    await page.waitForFunction(() => (window as unknown as { __bench: PageBench }).__bench.ready, null, { timeout: 60_000 });
    // Two frames after mount, so that start-up is not part of the measurement.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const streamFrom = await page.evaluate(() => {
      (window as unknown as { __benchStart(): void }).__benchStart();
      return performance.now();
    });
    await page.waitForFunction(() => (window as unknown as { __bench: PageBench }).__bench.done, null, { timeout: 120_000 });
    // Let the last batch be drawn before the stream phase ends.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
    const streamTo = await page.evaluate(() => performance.now());

    // Scroll phase: wheel through the full table, upwards, for about 3 s.
    const box = await page.locator('#events-table').boundingBox();
    if (!box) throw new Error('the events table has no layout box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const scrollFrom = await page.evaluate(() => performance.now());
    for (let i = 0; i < 60; i++) {
      await page.mouse.wheel(0, -2000);
      await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
    }
    const scrollTo = await page.evaluate(() => performance.now());

    const b = await page.evaluate(() => (window as unknown as { __bench: PageBench }).__bench);
    const rows = Number(await page.locator('#events-table').getAttribute('aria-rowcount')) - 1;
    const heapMB = await page.evaluate(() => ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 1048576);
    if (errors.length) throw new Error(`the webview threw: ${errors.slice(0, 3).join(' | ')}`);
    return {
      streaming: stats(b.frames, b.longTasks, streamFrom, streamTo),
      scrolling: stats(b.frames, b.longTasks, scrollFrom, scrollTo),
      streamS: b.sentAt.length > 1 ? (b.sentAt[b.sentAt.length - 1]! - b.sentAt[0]!) / 1000 : 0,
      rows,
      heapMB,
    };
  } finally {
    await browser.close();
  }
}

function statsLine(s: FrameStats): string {
  return `p50 ${s.p50.toFixed(1)} ms, **p95 ${s.p95.toFixed(1)} ms**, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(0)} ms over ${s.frames} frames; ` +
    `${s.over50} frames > 50 ms; ${s.longTasks} long tasks (${s.longTaskMs.toFixed(0)} ms)`;
}

/** The report section for the events table benchmark. */
export function webviewTableSection(r: WebviewTableResult | { error: string }): string[] {
  const head = `**Events table in Chromium** (test/fixtures/bench/webview-table.html loads webview/dist/webview.js in headless Chromium, 1280×800, and delivers ${WEBVIEW_LOAD.total.toLocaleString('en-US')} synthetic events at ${WEBVIEW_LOAD.rate.toLocaleString('en-US')}/s, one 'events' message every ${WEBVIEW_LOAD.batchMs} ms made and paced in a worker (the page's main thread only receives each batch, as a webview does), following the newest row; then 60 mouse-wheel steps scroll back through the table; frame time = interval between animation frames):`;
  if ('error' in r) return ['', head, '', `- not measured: ${r.error.replace(/\s*\n\s*/g, ' ')}`];
  const met = r.streaming.p95 <= 50;
  return ['', head, '',
    `- while ${r.rows.toLocaleString('en-US')} events arrived (${r.streamS.toFixed(1)} s): ${statsLine(r.streaming)} — goal p95 ≤ 50 ms ${met ? 'met' : '**missed**'}`,
    `- scrolling the full table afterwards: ${statsLine(r.scrolling)}`,
    `- JS heap at the end: ${r.heapMB.toFixed(0)} MB`];
}
