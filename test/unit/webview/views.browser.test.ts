// The webview bundle in headless Chromium: a page like the extension's (strict CSP: scripts and
// style elements by nonce only, no inline styles; stub acquireVsCodeApi; #app[data-view]) is fed
// messages, and the tests check what a user would see and what the extension would receive.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import type { FromWebview, ToWebview, ViewName } from '../../../webview/src/messages';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Deterministic events: pid 100+i%4, comm by pid, kind by (i>>2)%4 (so exactly a quarter of each).
 * Plain JavaScript source, so the page can build large batches itself instead of receiving them.
 */
const MAKE_EVENTS_JS = `(from, n) => {
  const comms = ['node', 'python3', 'curl', 'sh'];
  const out = [];
  for (let i = from; i < from + n; i++) {
    const pid = 100 + (i % 4);
    const base = { ts: 1700000000000 + i, pid, tid: pid, ppid: 1, uid: 1000, comm: comms[i % 4] };
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
  async function open(view: ViewName): Promise<Page> {
    const file = path.join(dir, `${view}.html`);
    writeFileSync(file, `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-t3st'; style-src 'nonce-t3st'">
<meta property="csp-nonce" content="t3st">
</head><body class="vscode-dark"><div id="app" data-view="${view}"></div>
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
    assert.match(await page.locator('#detail-title').textContent() ?? '', /connect tcp|AF_INET → example\.com:443/);
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

  it('process tree shows parent and child as tree items with exit codes', async () => {
    const page = await open('processTree');
    const b = (ts: number, pid: number, comm: string, ppid: number) => ({ ts, pid, tid: pid, ppid, uid: 0, comm });
    await send(page, { type: 'events', sessionId: 's', events: [
      { ...b(1, 10, 'bash', 1), kind: 'fork', child_pid: 11, thread: false },
      { ...b(2, 11, 'bash', 10), kind: 'exec', filename: '/usr/bin/curl', argv: ['curl', 'x'], cwd: '/', ret: 0 },
      { ...b(3, 11, 'curl', 10), kind: 'exit', exit_code: 6 },
    ] });
    const child = page.locator('[role=treeitem][data-pid="11"]');
    await child.waitFor();
    assert.match(await child.getAttribute('aria-label') ?? '', /^curl \(11\), exit 6/);
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
