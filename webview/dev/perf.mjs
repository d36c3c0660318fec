// Frame times of the events table in headless Chromium while events stream in (development aid).
// Usage: node webview/dev/perf.mjs [rate=20000] [total=100000] [view=events]
// Prints one JSON line: {view, rate, total, frames, p50, p95, p99, max} (ms between frames while streaming).
import { chromium } from 'playwright-core';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const rate = Number(process.argv[2] ?? 20000);
const total = Number(process.argv[3] ?? 100000);
const view = process.argv[4] ?? 'events';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`file://${path.join(here, '..', 'dev.html')}?view=${view}&theme=dark&rate=${rate}&total=${total}`);
  await page.waitForFunction(() => window.__lensDev?.done === true, null, { timeout: 10 * 60_000 });
  const frames = await page.evaluate(() => window.__lensDev.frameTimes.slice(5));
  const shown = await page.evaluate(() => document.getElementById('event-counts')?.textContent ?? '');
  const rows = await page.evaluate(() => document.querySelectorAll('#events-table [role=row][data-kind]:not([hidden])').length);
  frames.sort((a, b) => a - b);
  const q = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))];
  console.log(JSON.stringify({ view, rate, total, frames: frames.length, p50: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), p99: +q(0.99).toFixed(1), max: +frames[frames.length - 1].toFixed(1), shown, domRows: rows }));
  if (errors.length) { console.error(errors.join('\n')); process.exitCode = 1; }
} finally {
  await browser.close();
}
