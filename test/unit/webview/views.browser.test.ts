// The webview bundle in headless Chromium: a page like the extension's (strict CSP: scripts and
// style elements by nonce only, no inline styles; stub acquireVsCodeApi; #app[data-view]) is fed
// messages, and the tests check what a user would see and what the extension would receive.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import type { FromWebview, ToWebview, ViewName } from '../../../webview/src/messages';
import { STACKED } from './events.fixture';

const ROOT = path.resolve(__dirname, '../../..');
/** Where the tests write the screenshots a person looks at. */
const SHOTS = path.join(ROOT, 'test-output', 'webview');

/**
 * Deterministic events: pid 100+i%4, comm by pid, kind by (i>>2)%4 (so exactly a quarter of each).
 * Plain JavaScript source, so the page can build large batches itself instead of receiving them.
 */
const MAKE_EVENTS_JS = `(from, n) => {
  const comms = ['node', 'python3', 'curl', 'sh'];
  const out = [];
  for (let i = from; i < from + n; i++) {
    const pid = 100 + (i % 4);
    const base = { ts: 1700000000000 + i, pid, tid: pid, ppid: 1, uid: 1000, comm: comms[i % 4], key: pid + ':1000' };
    switch ((i >> 2) % 4) {
      case 0: out.push(Object.assign(base, { kind: 'open', syscall: 'openat', path: i % 3 ? '/app/f' + i + '.txt' : '/app/.env', flags: 'O_RDONLY', ret: i % 5 ? 3 : -2 }, i % 5 ? {} : { errno: 'ENOENT' })); break;
      case 1: out.push(Object.assign(base, { kind: 'connect', family: 'AF_INET', saddr: '10.0.0.1', sport: 40000, daddr: '93.184.216.34', dport: 443, dns: 'example.com', fd: 5, ret: 0 })); break;
      case 2: out.push(Object.assign(base, { kind: 'syscall', name: 'read', nr: 0, args: ['0x3'], ret: 10, dur_ns: 1000 + (i % 100) * 10 })); break;
      default: out.push(Object.assign(base, { kind: 'dns', name: 'example.com', answers: ['93.184.216.34'], ret: 0 }));
    }
  }
  return out;
}`;
const makeEvents = new Function(`return ${MAKE_EVENTS_JS}`)() as (from: number, n: number) => LensEvent[];

type Theme = 'dark' | 'light' | 'hc';
const THEME_CLASS: Record<Theme, string> = { dark: 'vscode-dark', light: 'vscode-light', hc: 'vscode-high-contrast' };
/** The theme variables VS Code defines, as webview/dev.html (the development page) sets them for its three themes. */
const THEME_CSS = /<style>([^]*?)<\/style>/.exec(readFileSync(path.join(ROOT, 'webview', 'dev.html'), 'utf8'))![1];

/** WCAG contrast ratio of two CSS colours (rgb()/rgba() as getComputedStyle gives them; alpha composited on `under`). */
function contrast(fg: string, bg: string, under = 'rgb(255, 255, 255)'): number {
  const parse = (c: string) => (/rgba?\(([^)]+)\)/.exec(c)![1].split(',').map(Number));
  const blend = (c: number[], base: number[]) => (c.length === 4 ? c.slice(0, 3).map((v, i) => v * c[3] + base[i] * (1 - c[3])) : c.slice(0, 3));
  const lum = (c: number[]) => {
    const [r, g, b] = c.map((v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const back = blend(parse(bg), parse(under));
  const [a, b] = [lum(blend(parse(fg), back)), lum(back)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}

describe('webview views in Chromium', function () {
  this.timeout(120_000);
  let dir: string;
  let browser: Browser;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lens-webview-'));
    await esbuild.build({
      absWorkingDir: ROOT, entryPoints: ['webview/src/main.ts'], outfile: path.join(dir, 'webview.js'),
      bundle: true, platform: 'browser', target: 'chrome120', format: 'iife', logLevel: 'error',
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Open a view the way the extension does and wait for its 'ready'. */
  async function open(view: ViewName, theme?: Theme): Promise<Page> {
    const file = path.join(dir, `${view}-${theme ?? 'bare'}.html`);
    writeFileSync(file, `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-t3st'; style-src 'nonce-t3st'">
<meta property="csp-nonce" content="t3st">${theme ? `<style nonce="t3st">${THEME_CSS}</style>` : ''}
</head><body class="${THEME_CLASS[theme ?? 'dark']}"><div id="app" data-view="${view}"></div>
<script nonce="t3st">window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });</script>
<script nonce="t3st" src="webview.js"></script></body></html>`);
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    (page as Page & { lensErrors: string[] }).lensErrors = errors;
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => (window as unknown as { __posted: FromWebview[] }).__posted.some((m) => m.type === 'ready'));
    return page;
  }

  const send = (page: Page, msg: ToWebview) => page.evaluate((m) => window.postMessage(m, '*'), msg);
  const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: FromWebview[] }).__posted);
  const visibleRows = (page: Page) => page.$$eval('#events-table .rows [role=row]:not([hidden])', (rows) =>
    rows.map((r) => ({ kind: (r as HTMLElement).dataset.kind, cells: [...r.children].map((c) => c.textContent ?? '') })));

  it('shows 100k streamed events with a bounded number of row elements, following the newest', async () => {
    const page = await open('events');
    // 20 batches of 5000, posted from inside the page one per task, as the extension's messages arrive.
    await page.evaluate(`(() => {
      const make = ${MAKE_EVENTS_JS};
      for (let b = 0; b < 20; b++) setTimeout(() => window.postMessage({ type: 'events', sessionId: 's', events: make(b * 5000, 5000) }, '*'), b * 50);
    })()`);
    await page.waitForFunction(() => document.querySelector('#events-table')?.getAttribute('aria-rowcount') === '100001');
    const rowElements = await page.$$eval('#events-table .rows [role=row]', (r) => r.length);
    assert.ok(rowElements < 60, `${rowElements} row elements for 100k events`);
    const rows = await visibleRows(page);
    const last = makeEvents(99_999, 1)[0];
    assert.equal(rows[rows.length - 1].cells[1], String(last.pid));
    assert.equal(rows[rows.length - 1].kind, last.kind);
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '100,000 of 100,000 events');
    // Header columns line up with the rows' columns.
    const lefts = await page.evaluate(() => ['.row.header', '.rows .row:not([hidden])'].map((sel) =>
      [...document.querySelector(sel)!.children].map((c) => Math.round(c.getBoundingClientRect().left))));
    assert.deepEqual(lefts[0], lefts[1]);
    // The newest row is whole, below the header row (not under it) and above the viewport's bottom;
    // scrolled to the top, the first row starts right under the header. Both rows span the same width.
    const geometry = () => page.evaluate(() => {
      const viewport = document.querySelector<HTMLElement>('#events-table .viewport')!;
      const [header, newest, first] = ['.row.header', '.rows .row[aria-rowindex="100001"]', '.rows .row[aria-rowindex="2"]'].map((sel) => {
        const r = document.querySelector(sel)?.getBoundingClientRect();
        return r && { top: Math.round(r.top), bottom: Math.round(r.bottom), right: Math.round(r.right) };
      });
      return { viewportBottom: Math.round(viewport.getBoundingClientRect().top + viewport.clientTop + viewport.clientHeight), header: header!, newest, first };
    });
    const atEnd = await geometry();
    assert.ok(atEnd.newest && atEnd.newest.top >= atEnd.header.bottom && atEnd.newest.bottom <= atEnd.viewportBottom, JSON.stringify(atEnd));
    assert.equal(atEnd.newest.right, atEnd.header.right);
    await page.locator('#events-table .viewport').evaluate((v) => { v.scrollTop = 0; });
    await page.waitForFunction(() => document.querySelector('.rows .row[aria-rowindex="2"]:not([hidden])'));
    const atTop = await geometry();
    assert.equal(atTop.first?.top, atTop.header.bottom, JSON.stringify(atTop));
    assert.deepEqual((page as Page & { lensErrors: string[] }).lensErrors, []);
    await page.close();
  });

  it('filters with kind:open -comm:node, and shows a syntax error with its column in place', async () => {
    const page = await open('events');
    await send(page, { type: 'events', sessionId: 's', events: makeEvents(0, 4000) });
    await page.locator('#filter input').fill('kind:open -comm:node');
    // 1000 opens, a quarter of them by node (pid 100)
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '750 of 4,000 events');
    const rows = await visibleRows(page);
    assert.ok(rows.length > 10);
    assert.ok(rows.every((r) => r.kind === 'open' && r.cells[2] !== 'node'), JSON.stringify(rows.slice(0, 3)));

    await page.locator('#filter input').fill('kind:open pth:*.env');
    const error = page.locator('#filter-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent() ?? '', /column 11: unknown field "pth" — did you mean "path"\?/);
    assert.equal(await page.locator('#filter-error mark').textContent(), 'pth');

    await page.locator('#filter input').fill('path:*.env ret:<0');
    await error.waitFor({ state: 'hidden' });
    const expected = makeEvents(0, 4000).filter((e) => e.kind === 'open' && e.path.endsWith('.env') && e.ret < 0).length;
    await page.waitForFunction((n) => document.getElementById('event-counts')?.textContent === `${n} of 4,000 events`, expected);
    await page.close();
  });

  it('hides a kind group with its toggle and sorts by a column header', async () => {
    const page = await open('events');
    await send(page, { type: 'events', sessionId: 's', events: makeEvents(0, 400) });
    await page.locator('vscode-checkbox[data-group="syscall"]').click();
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '300 of 400 events');
    assert.ok((await visibleRows(page)).every((r) => r.kind !== 'syscall'));
    await page.locator('[role=columnheader][data-sort="pid"]').click();
    await page.locator('[role=columnheader][data-sort="pid"]').click();
    assert.equal(await page.locator('[role=columnheader][data-sort="pid"]').getAttribute('aria-sort'), 'descending');
    await page.locator('#events-table .viewport').evaluate((v) => { v.scrollTop = 0; });
    await page.waitForFunction(() => document.querySelector('#events-table .rows [role=row] .col-pid')?.textContent === '103');
    await page.close();
  });

  it('selecting a row posts select, fills the detail pane and copies the raw record', async () => {
    const page = await open('events');
    const events = makeEvents(0, 50);
    await send(page, { type: 'events', sessionId: 's', events });
    await page.locator('#events-table .rows [role=row][data-kind="connect"]').first().click();
    const sel = (await posted(page)).find((m) => m.type === 'select');
    assert.ok(sel && sel.type === 'select');
    assert.equal(sel.event.kind, 'connect');
    assert.equal(sel.key, `${sel.event.ts}:${sel.event.pid}:${sel.event.tid}:connect`);
    assert.match(await page.locator('#detail-title').textContent() ?? '', /connect fd=\d+ AF_INET( \S+)? -> 93\.184\.216\.34:443 \(example\.com\)/);
    assert.deepEqual(JSON.parse(await page.locator('#detail-raw').textContent() ?? ''), sel.event);
    await page.locator('#copy-json').click();
    const copy = (await posted(page)).find((m) => m.type === 'copy');
    assert.ok(copy && copy.type === 'copy');
    assert.deepEqual(JSON.parse(copy.text), sel.event);

    // A selection made in another view arrives as a message and is shown.
    const other = events[7];
    await send(page, { type: 'select', key: `${other.ts}:${other.pid}:${other.tid}:${other.kind}` });
    await page.waitForFunction((ts) => (document.getElementById('detail-raw')?.textContent ?? '').includes(`"ts": ${ts}`), other.ts);
    await page.waitForFunction((pid) => {
      const selected = document.querySelectorAll('#events-table [aria-selected="true"]');
      return selected.length === 1 && selected[0].querySelector('.col-pid')?.textContent === pid;
    }, String(other.pid));
    await page.close();
  });

  it('narrows the table to a time range from the timeline and clears it', async () => {
    const page = await open('events');
    await send(page, { type: 'events', sessionId: 's', events: makeEvents(0, 1000) });
    await send(page, { type: 'timeRange', from: 1_700_000_000_100, to: 1_700_000_000_199 });
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '100 of 1,000 events');
    await page.locator('#clear-range').click();
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '1,000 of 1,000 events');
    assert.ok((await posted(page)).some((m) => m.type === 'timeRange' && m.from === null));
    await page.close();
  });

  it('a time range chosen in one session does not hide the next session\'s events', async () => {
    const page = await open('events');
    await send(page, { type: 'reset', session: { id: 'a', title: 'first', state: 'exited', fromFile: false } });
    await send(page, { type: 'events', sessionId: 'a', events: makeEvents(0, 1000) });
    await send(page, { type: 'timeRange', from: 1_700_000_000_100, to: 1_700_000_000_199 });
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '100 of 1,000 events');
    // The next session's events are hours later: the old range would match none of them.
    const later = makeEvents(0, 500).map((e) => ({ ...e, ts: e.ts + 3_600_000 }));
    await send(page, { type: 'reset', session: { id: 'b', title: 'second', state: 'running', fromFile: false } });
    await send(page, { type: 'events', sessionId: 'b', events: later });
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '500 of 500 events');
    assert.equal(await page.locator('#time-range').isVisible(), false, 'no time range chip left from the first session');
    await page.close();
  });

  for (const theme of ['light', 'dark', 'hc'] as const) {
    it(`time range labels are readable in the ${theme} theme (contrast ≥ 4.5:1)`, async () => {
      const ratio = (page: Page, sel: string) => page.$eval(sel, (el) => {
        const fg = getComputedStyle(el).color;
        const backgrounds: string[] = [];
        for (let n: Element | null = el; n; n = n.parentElement) {
          const b = getComputedStyle(n).backgroundColor;
          if (b !== 'rgba(0, 0, 0, 0)' && b !== 'transparent') backgrounds.push(b);
        }
        return { fg, bg: backgrounds[0], under: backgrounds[1] ?? backgrounds[0] };
      });
      const events = await open('events', theme);
      await send(events, { type: 'events', sessionId: 's', events: makeEvents(0, 1000) });
      await send(events, { type: 'timeRange', from: 1_700_000_000_100, to: 1_700_000_000_199 });
      await events.locator('#time-range .range-label').waitFor();
      const chip = await ratio(events, '#time-range .range-label');
      assert.ok(contrast(chip.fg, chip.bg, chip.under) >= 4.5, `events view range chip: ${chip.fg} on ${chip.bg}: ${contrast(chip.fg, chip.bg, chip.under).toFixed(2)}:1`);
      await events.close();

      const timeline = await open('timeline', theme);
      await send(timeline, { type: 'events', sessionId: 's', events: makeEvents(0, 1000) });
      await timeline.waitForFunction(() => (document.getElementById('timeline-range')?.textContent ?? '') !== '');
      const label = await ratio(timeline, '#timeline-range');
      assert.ok(contrast(label.fg, label.bg, label.under) >= 4.5, `timeline range label: ${label.fg} on ${label.bg}: ${contrast(label.fg, label.bg, label.under).toFixed(2)}:1`);
      await timeline.close();
    });
  }

  it('the detail pane wraps between words and breaks only a token longer than its width', async () => {
    const page = await open('events', 'light');
    const long = `/home/dev/${'very-long-directory-name-'.repeat(12)}file.txt`;
    const e: LensEvent = { ts: 1_700_000_000_000, pid: 7, tid: 7, ppid: 1, uid: 0, comm: 'python3', key: '7:1000', kind: 'exec', filename: long,
      argv: ['python3', '-m', 'http.server', '--bind', 'localhost', '--directory', '/srv/www/public', '8080', 'and', 'some', 'more', 'words', 'to', 'wrap'], cwd: '/srv', ret: 0 };
    await send(page, { type: 'events', sessionId: 's', events: [e] });
    await page.locator('#events-table .rows [role=row]').first().click();
    await page.locator('#detail-fields dd').first().waitFor();
    const broken = await page.$$eval('#detail-title, #detail-fields dd', (els) => {
      const out: string[] = [];
      for (const el of els) {
        const width = el.getBoundingClientRect().width;
        const text = el.firstChild?.nodeType === Node.TEXT_NODE ? el.firstChild as Text : null;
        if (!text) continue;
        for (const m of text.data.matchAll(/\S+/g)) {
          const r = document.createRange();
          r.setStart(text, m.index!);
          r.setEnd(text, m.index! + m[0].length);
          const lines = new Set([...r.getClientRects()].map((c) => Math.round(c.top))).size;
          const wide = [...r.getClientRects()].reduce((sum, c) => sum + c.width, 0);
          if (lines > 1 && wide < width - 2) out.push(m[0]);
        }
      }
      return out;
    });
    assert.deepEqual(broken, [], 'words split across lines although they fit on one');
    const argv = page.locator('#detail-fields dd', { hasText: 'http.server' });
    assert.ok(((await argv.boundingBox())?.height ?? 0) > 20, 'the command line wraps onto several lines');
    const overflow = await page.$eval('#detail', (d) => d.scrollWidth - d.clientWidth);
    assert.equal(overflow, 0, 'the overlong path is broken rather than widening the pane');
    await page.close();
  });

  it('Follow/Pause shows only while the session runs', async () => {
    const page = await open('events');
    const follow = page.locator('#follow');
    await send(page, { type: 'reset', session: { id: 'a', title: 'a', state: 'running', fromFile: false } });
    await follow.waitFor({ state: 'visible' });
    assert.equal(await follow.textContent(), 'Pause');
    await send(page, { type: 'state', session: { id: 'a', title: 'a', state: 'exited', fromFile: false } });
    await follow.waitFor({ state: 'hidden' });
    await send(page, { type: 'reset', session: { id: 'f', title: 'from a file', state: 'running', fromFile: true } });
    await send(page, { type: 'events', sessionId: 'f', events: makeEvents(0, 10) });
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '10 of 10 events');
    assert.equal(await follow.isVisible(), false, 'a session read from a file has nothing to follow');
    await page.close();
  });

  it('kind toggles are named by their kind and count for assistive technology', async () => {
    const page = await open('events');
    await send(page, { type: 'events', sessionId: 's', events: makeEvents(0, 48) });
    await page.getByRole('checkbox', { name: 'Network events (12)', exact: true }).waitFor();
    for (const name of ['Process events (0)', 'File events (12)', 'DNS events (12)', 'Syscall events (12)', 'Findings events (0)']) {
      assert.equal(await page.getByRole('checkbox', { name, exact: true }).count(), 1, name);
    }
    assert.equal(await page.getByRole('checkbox', { name: /^Process 0$/ }).count(), 0);
    await page.close();
  });

  it('the lost count says why events were lost', async () => {
    const page = await open('events');
    await send(page, { type: 'stats', stats: { sessionId: 's', state: 'running', events: {}, total: 3, rate: 0, lost: { open: 7 }, lostTotal: 7, lostReasons: { buffers_full: 2, client_not_reading: 5 }, startedAt: 0 } });
    await page.waitForFunction(() => document.getElementById('lost-count')?.textContent === '7 lost (buffers full 2, client not reading 5)');
    await page.close();
  });

  it('a reversed range in the filter is shown as an error, not an empty table', async () => {
    const page = await open('events');
    await send(page, { type: 'events', sessionId: 's', events: makeEvents(0, 40) });
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '40 of 40 events');
    await page.locator('#filter input').fill('pid:102..100');
    const error = page.locator('#filter-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent() ?? '', /column 5: the range 102\.\.100 is reversed and matches nothing; put the smaller bound first: pid:100\.\.102/);
    assert.equal(await page.locator('#filter-error mark').textContent(), '102..100');
    assert.equal(await page.locator('#event-counts').textContent(), '40 of 40 events');
    await page.close();
  });

  it('the Source column shows file:line by name, its path in the tooltip, and a click opens it at that line', async () => {
    const page = await open('events');
    await send(page, { type: 'events', sessionId: 's', events: STACKED });
    const cell = page.locator('#events-table .rows [role=row][data-kind="exec"] .col-source');
    assert.equal(await cell.textContent(), 'store.js:30');
    assert.equal(await cell.getAttribute('title'), '/home/dev/shop/lib/store.js:30 in thumbnail — click to open');
    assert.equal(await page.locator('[role=columnheader][data-sort="source"]').textContent(), 'Source');
    await cell.locator('a').click();
    const reveal = (await posted(page)).filter((m) => m.type === 'reveal');
    assert.deepEqual(reveal, [{ type: 'reveal', file: '/home/dev/shop/lib/store.js', line: 30 }]);
    assert.equal(await page.locator('#events-table [aria-selected="true"]').count(), 0, 'opening the source does not select the row');
    assert.equal(await page.locator('#events-table .rows [role=row][data-kind="open"] .col-source').last().textContent(), '', 'an event without a source has an empty cell');
    // sorted by source: by file, then line; events without one last
    await page.locator('[role=columnheader][data-sort="source"]').click();
    await page.waitForFunction(() => document.querySelector('#events-table .rows [role=row]:not([hidden]) .col-source')?.textContent === 'report.py:5');
    const order = await page.$$eval('#events-table .rows [role=row]:not([hidden]) .col-source', (cs) => cs.map((c) => c.textContent));
    assert.deepEqual(order, ['report.py:5', 'store.js:8', 'store.js:21', 'store.js:30', 'server.js:12', 'server.js:12', '']);
    await page.close();
  });

  for (const theme of ['light', 'dark', 'hc'] as const) {
    it(`the stack pane lists every frame, opens a frame's file, says why a frame has no line (${theme} theme, screenshot)`, async () => {
      const page = await open('events', theme);
      await send(page, { type: 'events', sessionId: 's', events: STACKED });
      await page.locator('#events-table .rows [role=row][data-kind="open"]').first().click();
      const frames = page.locator('#stack-frames .stack-frame');
      await frames.first().waitFor();
      assert.equal(await frames.count(), STACKED[0].frames!.length);
      assert.equal(await page.locator('#stack-heading').textContent(), 'Call stack (5 frames)');
      const source = page.locator('#stack-frames .stack-frame.is-source');
      assert.equal(await source.count(), 1);
      assert.match(await source.textContent() ?? '', /loadConfig your code\s*server\.js:12:18/);
      assert.equal(await page.locator('#stack-frames .frame-link').count(), 2, 'every frame with a file path is a link');
      assert.equal(await page.locator('#stack-frames .frame-file', { hasText: 'node:fs:590:3' }).count(), 1, 'a built-in module is named, not linked');
      assert.match(await frames.nth(4).textContent() ?? '', /uv_run.*node — no debug info/);
      assert.match(await page.locator('#detail-fields').textContent() ?? '', /source\/home\/dev\/shop\/server\.js:12:18 in loadConfig/);
      await source.locator('.frame-link').click();
      assert.deepEqual((await posted(page)).filter((m) => m.type === 'reveal'), [{ type: 'reveal', file: '/home/dev/shop/server.js', line: 12 }]);
      // a Python event's stack: native frames in libc and libpq, the package and the user's line
      await page.locator('#events-table .rows [role=row]', { hasText: 'python3' }).click();
      await page.waitForFunction(() => document.getElementById('stack-heading')?.textContent === 'Call stack (4 frames)');
      assert.match(await page.locator('#stack-frames').textContent() ?? '', /PQconnectPoll.*libpq\.so\.5 — no debug info.*libpq\.so\.5/);
      assert.match(await page.locator('#stack-frames').textContent() ?? '', /psycopg2/);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `stack-pane-${theme}.png`) });
      // a cut stack and a stack that could not be read say so
      await page.locator('#events-table .rows [role=row]', { hasText: 's3.amazonaws.com' }).click();
      await page.waitForFunction(() => document.getElementById('stack-heading')?.textContent === 'Call stack (4 frames, cut)');
      assert.match(await page.locator('#stack-note').textContent() ?? '', /goes on beyond these frames/);
      await page.locator('#events-table .rows [role=row]', { hasText: 'ld.so.cache' }).click();
      await page.waitForFunction(() => /No stack: the thread's stack could not be read/.test(document.getElementById('stack-note')?.textContent ?? ''));
      assert.equal(await frames.count(), 0);
      // frames without a function: native code without a symbol, and top-level or anonymous JS
      const top = { file: '/home/dev/shop/top.js', line: 1, column: 1 };
      await send(page, { type: 'events', sessionId: 's', events: [{ ...STACKED[1], ts: STACKED[1].ts + 0.5, path: '/home/dev/shop/top.json', source: top,
        frames: [{ kind: 'native', module: '/usr/lib/x86_64-linux-gnu/libc.so.6', reason: 'stripped' }, { kind: 'js', ...top }] } as LensEvent] });
      await page.locator('#events-table .rows [role=row]', { hasText: 'top.json' }).click();
      await page.waitForFunction(() => document.getElementById('stack-heading')?.textContent === 'Call stack (2 frames)');
      assert.deepEqual(await page.locator('#stack-frames .frame-function').allTextContents(), ['(unknown)', '(anonymous)']);
      await page.screenshot({ path: path.join(SHOTS, `stack-unnamed-${theme}.png`) });
      assert.deepEqual((page as Page & { lensErrors: string[] }).lensErrors, []);
      await page.close();
    });
  }

  it('a filter sent by the extension (Show Events for This Line) fills the box and narrows the table', async () => {
    const page = await open('events');
    await send(page, { type: 'events', sessionId: 's', events: STACKED });
    await send(page, { type: 'filter', text: 'file:/home/dev/shop/server.js line:12' });
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '2 of 7 events');
    assert.equal(await page.locator('#filter').evaluate((f) => (f as HTMLInputElement).value), 'file:/home/dev/shop/server.js line:12');
    await page.locator('#filter input').fill('pkg:@aws-sdk/*');
    await page.waitForFunction(() => document.getElementById('event-counts')?.textContent === '1 of 7 events');
    await page.close();
  });

  it('a process in the tree and an endpoint on the network map open the events view filtered to them', async () => {
    const tree = await open('processTree');
    await send(tree, { type: 'events', sessionId: 's', events: STACKED });
    await tree.locator('[role=treeitem][data-key="4242:5000"]').dblclick();
    assert.ok((await posted(tree)).some((m) => m.type === 'showEvents' && m.filter === 'key:4242:5000'));
    await tree.close();
    const map = await open('networkMap');
    await send(map, { type: 'events', sessionId: 's', events: STACKED });
    const db = map.locator('.net-node[aria-label="db.internal:5432"]');
    await db.waitFor();
    await db.dispatchEvent('click');
    assert.ok((await posted(map)).some((m) => m.type === 'showEvents' && m.filter === 'daddr:10.0.0.5 dport:5432'), JSON.stringify(await posted(map)));
    await map.close();
  });

  for (const theme of ['light', 'dark', 'hc'] as const) {
    it(`the Dependencies view lists each package with the events its code caused, expands to them, links and exports (${theme} theme, screenshot)`, async () => {
      const page = await open('dependencies', theme);
      await send(page, { type: 'events', sessionId: 's', events: makeEvents(0, 20) });
      await page.waitForFunction(() => /No event has a stack/.test(document.getElementById('deps-empty')?.textContent ?? ''));
      // the same package in many events: counted per kind
      const more = STACKED.slice(2, 4).flatMap((e, i) => [0, 1, 2].map((j) => ({ ...e, ts: e.ts + 100 + i * 10 + j })));
      await send(page, { type: 'events', sessionId: 's', events: [...STACKED, ...more] });
      await page.waitForFunction(() => document.querySelectorAll('#deps-table .deps-row').length === 6);
      const rows = await page.$$eval('#deps-table .deps-row', (rs) => rs.map((r) => [...r.children].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())));
      assert.deepEqual(rows[0], ['▸ @aws-sdk/client-s3', 'npm', '4', 'connect 4 Show in events view']);
      assert.deepEqual(rows.find((r) => r[0].endsWith('libpq.so.5')), ['▸ libpq.so.5', 'native library', '1', 'connect 1 Show in events view']);
      assert.deepEqual(rows.find((r) => r[0].endsWith('psycopg2'))?.slice(1, 3), ['Python', '1']);
      assert.equal(await page.locator('#deps-count').textContent(), '6 packages; 12 of 33 events have a stack');
      await page.locator('.deps-row[data-package="pg"] .deps-toggle').click();
      const detail = page.locator('.deps-detail .deps-event');
      await detail.first().waitFor();
      assert.equal(await detail.count(), 4);
      assert.match(await detail.first().textContent() ?? '', /connect fd=23 .*db\.internal.* · node \(4242\) · store\.js:8/);
      await detail.first().locator('.source-link').click();
      await page.locator('.deps-row[data-package="psycopg2"] .deps-toggle').click();
      await page.locator('.deps-row[data-package="psycopg2"] + .deps-detail').waitFor();
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `dependencies-${theme}.png`) });
      await page.locator('.deps-row[data-package="@aws-sdk/client-s3"] .deps-show').click();
      await page.locator('#deps-export').click();
      const out = (await posted(page)).filter((m) => m.type !== 'ready' && m.type !== 'log');
      assert.deepEqual(out, [
        { type: 'reveal', file: '/home/dev/shop/lib/store.js', line: 8 },
        { type: 'showEvents', filter: 'pkg:@aws-sdk/client-s3' },
        { type: 'exportDependencies' },
      ]);
      assert.deepEqual((page as Page & { lensErrors: string[] }).lensErrors, []);
      await page.close();
    });
  }

  it('process tree shows parent and child as tree items with exit codes', async () => {
    const page = await open('processTree');
    const b = (ts: number, pid: number, comm: string, ppid: number) => ({ ts, pid, tid: pid, ppid, uid: 0, comm, key: `${pid}:1000` });
    await send(page, { type: 'events', sessionId: 's', events: [
      { ...b(1, 10, 'bash', 1), kind: 'fork', child_pid: 11, thread: false },
      { ...b(2, 11, 'bash', 10), kind: 'exec', filename: '/usr/bin/curl', argv: ['curl', 'x'], cwd: '/', ret: 0 },
      { ...b(3, 11, 'curl', 10), kind: 'exit', exit_code: 6 },
    ] });
    const child = page.locator('[role=treeitem][data-key="11:1000"]');
    await child.waitFor();
    assert.match(await child.getAttribute('aria-label') ?? '', /^curl \(11\), exit 6/);
    // pid 11 again, another process: a node of its own, selected by its process key
    const again = { ...b(5, 11, 'bash', 10), key: '11:5000', pkey: '10:1000' };
    await send(page, { type: 'events', sessionId: 's', events: [
      { ...b(4, 10, 'bash', 1), kind: 'fork', child_pid: 11, thread: false, child_key: '11:5000' },
      { ...again, kind: 'exec', filename: '/usr/bin/ls', argv: ['ls'], cwd: '/', ret: 0 },
    ] });
    await send(page, { type: 'select', key: `5:11:11:exec`, process: '11:5000' });
    await page.waitForFunction(() => document.querySelector('[role=treeitem][data-key="11:5000"]')?.getAttribute('aria-selected') === 'true');
    assert.equal(await page.locator('[role=treeitem][data-pid="11"]').count(), 2);
    assert.match(await page.locator('[role=treeitem][data-key="11:5000"]').getAttribute('aria-label') ?? '', /^ls \(11\), 1 events/);
    assert.equal(await child.getAttribute('aria-selected'), 'false');
    assert.equal(await page.locator('[role=treeitem][data-pid="10"]').getAttribute('aria-expanded'), 'true');
    await page.locator('[role=treeitem][data-pid="10"]').click();
    await page.waitForFunction(() => document.querySelector('[role=treeitem][data-pid="10"]')?.getAttribute('aria-expanded') === 'false');
    assert.equal(await page.locator('[role=treeitem][data-pid="11"]').count(), 0);
    await page.close();
  });

  it('network map shows the endpoint by its DNS name', async () => {
    const page = await open('networkMap');
    await send(page, { type: 'events', sessionId: 's', events: makeEvents(0, 40) });
    await page.locator('.net-node[aria-label="example.com:443"]').waitFor();
    assert.equal(await page.locator('.net-node[aria-label="curl (102)"]').count(), 1);
    await page.close();
  });

  it('timeline draws one lane per process and brushing posts a time range', async () => {
    const page = await open('timeline');
    await send(page, { type: 'events', sessionId: 's', events: makeEvents(0, 1000) });
    await page.waitForFunction(() => document.querySelectorAll('.lane-label').length === 4);
    const box = (await page.locator('.timeline-overlay').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + 10);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + 10, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => (window as unknown as { __posted: FromWebview[] }).__posted.some((m) => m.type === 'timeRange'));
    const range = (await posted(page)).find((m) => m.type === 'timeRange');
    assert.ok(range && range.type === 'timeRange' && range.from !== null && range.to !== null);
    assert.ok(range.from! > 1_700_000_000_000 && range.to! < 1_700_000_001_000 && range.from! < range.to!);
    await page.close();
  });

  it('syscall summary lists per-process syscalls with percentiles', async () => {
    const page = await open('summary');
    await send(page, { type: 'events', sessionId: 's', events: makeEvents(0, 1600) });
    await page.waitForFunction(() => document.querySelectorAll('.summary-body [role=row]').length === 4);
    const rows = await page.$$eval('.summary-body [role=row]', (rs) => rs.map((r) => (r as HTMLElement).dataset.syscall + ':' + r.children[3].textContent));
    assert.deepEqual(rows.sort(), ['read:100', 'read:100', 'read:100', 'read:100']);
    await page.close();
  });
});
