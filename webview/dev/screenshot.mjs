// Screenshots of every webview view from webview/dev.html in headless Chromium (development aid).
// Usage: node webview/dev/screenshot.mjs [outDir] [views=events,...] [themes=dark,light,hc]
import { chromium } from 'playwright-core';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] ?? 'test-output/webview');
const views = (process.argv[3] ?? 'events,processTree,networkMap,timeline,summary').split(',');
const themes = (process.argv[4] ?? 'dark,light').split(',');
const extra = process.argv[5] ?? '';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  for (const view of views) {
    for (const theme of themes) {
      const url = `file://${path.join(here, '..', 'dev.html')}?view=${view}&theme=${theme}&rate=5000&total=3000${extra}`;
      await page.goto(url);
      await page.waitForFunction(() => window.__lensDev?.done === true);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.waitForTimeout(300);
      const file = path.join(out, `${view}-${theme}.png`);
      await page.screenshot({ path: file });
      console.log(file);
    }
  }
  if (errors.length) {
    console.error(`page errors:\n${errors.join('\n')}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
}
