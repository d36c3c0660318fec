/*
 * Tracing a debug session in a real VS Code (code-server, the packaged .vsix)
 * with its built-in JavaScript debugger: a launch configuration with
 * "runtimeLens": true is started on a demo program with a breakpoint after
 * its file open and child spawn; the Runtime Lens view of Run and Debug lists
 * both at their lines; stepping over the line that connects to a local server
 * shows the connect; the events table marks the stop and filters to one step;
 * stopping the debug session records the session, which reopens. Screenshots
 * in light, dark and high contrast go to test-output/screenshots/debug/.
 */
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { readSessionFile } from '../../extension/src/session/sessionFile';
import { requireBpf } from '../helpers/bpf';
import { TEST_OUTPUT } from '../helpers/paths';
import { waitFor } from '../helpers/procs';
import { CodeServer, ensureCodeServer, vsixUnderTest } from './codeServer';
import { launchChromium, Workbench } from './workbench';

const OUTPUT = path.join(TEST_OUTPUT, 'e2e-debug');
const SCREENSHOTS = path.join(TEST_OUTPUT, 'screenshots', 'debug');
const WORKSPACE = path.join(OUTPUT, 'workspace');
const SESSIONS = path.join(OUTPUT, 'sessions');

describe('e2e: a debug session traced (code-server, JavaScript debugger)', function () {
  this.timeout(180_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let listener: net.Server | undefined;
  let port = 0;
  let wb: Workbench;
  let page: Page;

  before(async function () {
    this.timeout(15 * 60_000); // the first run installs code-server and builds everything
    requireBpf(this);
    rmSync(OUTPUT, { recursive: true, force: true });
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    mkdirSync(SESSIONS, { recursive: true });
    cpSync(path.join(__dirname, 'fixtures', 'debug-demo'), WORKSPACE, { recursive: true });
    // read to its end: a socket never read never sees the peer's FIN, and would keep mocha alive
    listener = net.createServer((socket) => socket.on('error', () => undefined).resume().end());
    await new Promise<void>((resolve) => listener!.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as net.AddressInfo).port;
    mkdirSync(path.join(WORKSPACE, '.vscode'));
    writeFileSync(path.join(WORKSPACE, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [{ type: 'node', request: 'launch', name: 'Debug demo', program: '${workspaceFolder}/demo.js', args: [String(port)], runtimeLens: true }],
    }, null, 2));
    const [vsix, launcher] = await Promise.all([vsixUnderTest(OUTPUT), ensureCodeServer()]);
    server = await CodeServer.start({
      launcher, stateDir: path.join(OUTPUT, 'code-server'), workspace: WORKSPACE, extensions: [vsix],
      settings: { 'runtimeLens.sessionsDirectory': SESSIONS, 'debug.openDebug': 'openOnDebugBreak', 'debug.toolBarLocation': 'docked' },
    });
    browser = await launchChromium();
    wb = await Workbench.open(browser, server.url, OUTPUT, SCREENSHOTS);
    page = wb.page;
  });

  afterEach(async function () {
    // what the workbench showed when a step failed
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  after(async function () {
    this.timeout(60_000);
    await wb?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.close();
    listener?.close();
  });

  /** The rows of the Runtime Lens view in Run and Debug. */
  const lensRows = (): Locator => wb.viewPane('Runtime Lens').locator('.monaco-list-row');
  /** Waits for a row of the Runtime Lens view holding all of `texts`. */
  async function lensRow(timeout: number, ...texts: (string | RegExp)[]): Promise<Locator> {
    let row = lensRows();
    for (const t of texts) row = row.filter({ hasText: t });
    await row.first().waitFor({ timeout }).catch(async (err: Error) => {
      throw new Error(`the Runtime Lens view has no row with ${texts.join(' + ')}; it shows: ${JSON.stringify(await lensRows().allInnerTexts())} (${err.message.split('\n')[0]})`);
    });
    return row.first();
  }

  it('F5 stops at the breakpoint after the open and the spawn; the Runtime Lens view lists both at their lines', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^demo\.js$/ }).first().click();
    await wb.waitForActiveTab('demo.js');
    await wb.runCommand('Go to Line/Column...');
    await wb.answerInput(':10');
    await wb.runCommand('Debug: Toggle Breakpoint');
    await page.locator('.editor-instance .codicon-debug-breakpoint').first().waitFor({ timeout: 15000 });
    await wb.runCommand('Debug: Start Debugging');
    await page.locator('.editor-instance .codicon-debug-stackframe').first().waitFor({ timeout: 120_000 });
    // the view is the last of Run and Debug: open it if it is collapsed, and make room for it
    for (const other of ['Watch', 'Loaded Scripts', 'Breakpoints']) {
      const h = wb.viewPane(other).locator('.pane-header');
      if ((await h.count()) > 0 && (await h.first().getAttribute('aria-expanded')) === 'true') await h.first().click();
    }
    const header = wb.viewPane('Runtime Lens').locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await lensRow(120_000, /Step 1: paused/);
    await lensRow(60_000, 'open', 'notes.txt', 'demo.js:7');
    await lensRow(60_000, 'exec', 'uname', 'demo.js:8');
    const status = await page.locator('.statusbar-item[id="status.editor.selection"]').innerText();
    if (!/Ln 10\b/.test(status)) throw new Error(`the debugger did not stop at line 10: the status bar says '${status}'`);
    for (const [label, cls, name] of [['Light Modern', 'vs', 'light'], ['Dark Modern', 'vs-dark', 'dark'], ['Dark High Contrast', 'hc-black', 'hc']] as const) {
      await wb.setColorTheme(label, cls);
      await wb.screenshot(`debug-paused-${name}`);
    }
  });

  it('stepping over the line that connects shows the connect at that line', async () => {
    await wb.runCommand('Debug: Step Over');
    await lensRow(60_000, /Step 2: paused/);
    await lensRow(60_000, 'connect', `127.0.0.1:${port}`, 'demo.js:10');
    // the step's view lists this step only: the open of step 1 is not in it
    const texts = await lensRows().allInnerTexts();
    if (texts.some((t) => t.includes('notes.txt'))) throw new Error(`step 2 lists step 1's open: ${JSON.stringify(texts)}`);
    // the editor's hints show the step's events at their lines
    await page.waitForFunction(() => [...document.querySelectorAll('.editor-instance .view-lines span')]
      .some((span) => getComputedStyle(span, '::after').content.includes('connect 127.0.0.1')), undefined, { timeout: 30000 });
    await wb.screenshot('debug-stepped-hc');
  });

  it('the events table marks the stop and shows one step when asked', async () => {
    await wb.runCommand('Runtime Lens: Show Debug Step in Events View');
    await wb.waitForActiveTab('Runtime Lens: Events');
    const events = wb.webview();
    await events.locator('#time-range', { hasText: 'Step 2' }).waitFor({ timeout: 30000 });
    await events.locator('#events-table .rows .row:not([hidden])', { hasText: 'connect' }).first().waitFor({ timeout: 30000 });
    const shown = await events.locator('#events-table .rows .row:not([hidden])').allInnerTexts();
    if (shown.some((row) => row.includes('notes.txt')) || !shown.some((row) => row.includes('connect'))) throw new Error(`step 2 shows ${JSON.stringify(shown)}`);
    // all steps again: the row after the stop carries the mark
    await events.locator('#step-select').selectOption('');
    await events.locator('#events-table .rows .row.step-stop').first().waitFor({ timeout: 30000 });
    await wb.screenshot('debug-events-steps-hc');
    await wb.setColorTheme('Light Modern', 'vs');
    await wb.screenshot('debug-events-steps-light');
  });

  it('stopping the debug session records the session, and the file reopens', async () => {
    await wb.runCommand('Debug: Stop');
    const file = await waitFor('the recorded session file with its end record', async () => {
      const name = readdirSync(SESSIONS).find((f) => f.endsWith('.lens.ndjson.gz'));
      if (!name) return undefined;
      const full = path.join(SESSIONS, name);
      const contents = await readSessionFile(full, () => undefined).catch(() => undefined);
      return contents?.trailer ? { full, contents } : undefined;
    }, 60_000);
    const target = file.contents.header?.target;
    // js-debug resolves type "node" to its "pwa-node"
    if (target?.kind !== 'debug' || target.name !== 'Debug demo' || !['node', 'pwa-node'].includes(target.debugType)) throw new Error(`the session file's target is ${JSON.stringify(target)}`);
    // the pick opened from the palette can stay hidden while the palette's own close runs: then it is asked again
    for (let attempt = 1; ; attempt++) {
      await wb.runCommand('Runtime Lens: Open Session File…');
      const input = wb.quickInput.locator('input.input');
      const shown = await input.waitFor({ state: 'visible', timeout: 10000 }).then(() => true, () => false);
      if (shown) break;
      if (attempt >= 3) throw new Error('the Open Session File pick never showed');
      await page.keyboard.press('Escape');
    }
    await wb.answerInput(file.full);
    await wb.waitForActiveTab(/Debug demo|demo/);
    const events = wb.webview();
    await events.locator('#events-table .rows .row:not([hidden])', { hasText: 'connect' }).first().waitFor({ timeout: 30000 });
    await wb.setColorTheme('Dark Modern', 'vs-dark');
    await wb.screenshot('debug-reopened-dark');
  });
});
