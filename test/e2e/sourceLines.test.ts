/*
 * Source lines in a real VS Code (code-server, the packaged .vsix): a session
 * file whose events carry their source (as traced with stacks) is opened; the
 * editor of the demo app then shows the hint after each line that caused
 * events, and hovering a line lists them. A click on a Source cell of the
 * events view opens the file at that line. Screenshots of the hint and the
 * hover, in the light, dark and high contrast themes, go to
 * test-output/screenshots/source/ (a folder of its own: the other e2e suite clears
 * screenshots/*.png before it runs). Last, the demo app is traced live with
 * runtimeLens.stacks on, and its lines get their hints as the events arrive.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Frame, LensEvent } from '../../remote-agent/src/protocol';
import { SessionRecorder } from '../../extension/src/session/sessionFile';
import { requireBpf } from '../helpers/bpf';
import { FIXTURES, TEST_OUTPUT } from '../helpers/paths';
import { CodeServer, ensureCodeServer, vsixUnderTest } from './codeServer';
import { launchChromium, Workbench } from './workbench';

const OUTPUT = path.join(TEST_OUTPUT, 'e2e-source');
const SCREENSHOTS = path.join(TEST_OUTPUT, 'screenshots', 'source');
const WORKSPACE = path.join(OUTPUT, 'workspace');
const SESSIONS = path.join(OUTPUT, 'sessions');
const APP = path.join(WORKSPACE, 'app.js');

/** Events of the demo app as a trace with stacks records them: the lines are app.js's. */
function appEvents(): LensEvent[] {
  const base = { pid: 4100, tid: 4100, ppid: 1, uid: 1000, comm: 'node', key: '4100:77' };
  const frames = (fn: string, line: number, column: number): Frame[] => [
    { kind: 'js', function: fn, file: 'node:fs', line: 441 },
    { kind: 'js', function: '<anonymous>', file: APP, line, column },
    { kind: 'native', function: 'uv_run', module: '/usr/bin/node', reason: 'no debug info' },
  ];
  const at = (line: number, column: number, fn: string) => ({ source: { file: APP, line, column, function: fn }, frames: frames(fn === 'main' ? 'execFileSync' : 'readFileSync', line, column) });
  return [
    { ...base, ts: 1_764_600_000_000, kind: 'open', syscall: 'openat', path: path.join(WORKSPACE, 'config.json'), flags: 'O_RDONLY|O_CLOEXEC', ret: 20, ...at(9, 35, '<module>') },
    { ...base, ts: 1_764_600_000_001, kind: 'open', syscall: 'openat', path: path.join(WORKSPACE, 'config.json'), flags: 'O_RDONLY|O_CLOEXEC', ret: 21, ...at(9, 35, '<module>') },
    { ...base, ts: 1_764_600_000_010, kind: 'connect', family: 'AF_INET', proto: 'tcp', saddr: '127.0.0.1', sport: 50000, daddr: '127.0.0.1', dport: 40123, fd: 22, ret: -115, errno: 'EINPROGRESS', ...at(27, 10, 'get') },
    { ...base, ts: 1_764_600_000_020, kind: 'exec', filename: '/usr/bin/uname', argv: ['uname', '-sr'], cwd: WORKSPACE, ret: 0, ...at(41, 18, 'main') },
  ];
}

describe('e2e: events at their source lines in VS Code (code-server)', function () {
  this.timeout(120_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;
  let page: Page;

  before(async function () {
    this.timeout(15 * 60_000); // the first run installs code-server (~3 min) and builds everything
    rmSync(OUTPUT, { recursive: true, force: true });
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    mkdirSync(SESSIONS, { recursive: true });
    cpSync(path.join(FIXTURES, 'demo-workspace'), WORKSPACE, { recursive: true });
    const file = path.join(SESSIONS, '2026-12-01_14-00-00_node.lens.ndjson.gz');
    const recorder = new SessionRecorder(file, { runtimeLens: 'session', version: 1, title: 'node app.js', target: { kind: 'launch', command: ['node', 'app.js'], cwd: WORKSPACE }, startedAt: 1_764_600_000_000 }, (err) => { throw err; });
    recorder.write(appEvents());
    await recorder.close({ state: 'exited', endedAt: 1_764_600_001_000, exitCode: 0 });
    const [vsix, launcher] = await Promise.all([vsixUnderTest(OUTPUT), ensureCodeServer()]);
    server = await CodeServer.start({
      launcher, stateDir: path.join(OUTPUT, 'code-server'), workspace: WORKSPACE, extensions: [vsix],
      settings: { 'runtimeLens.sessionsDirectory': SESSIONS, 'runtimeLens.stacks': true, 'editor.hover.delay': 100 },
    });
    browser = await launchChromium();
    wb = await Workbench.open(browser, server.url, OUTPUT, SCREENSHOTS);
    page = wb.page;
  });

  after(async function () {
    this.timeout(60_000);
    await wb?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.close();
  });

  /** Moves the mouse onto the code of the line holding `code` and waits for a hover containing `text`. */
  async function hoverLine(code: string, text: string) {
    // the visible editor's line (a hidden editor of another tab keeps its lines in the page)
    const line = page.locator('.editor-instance .view-lines .view-line').filter({ hasText: code, visible: true });
    const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: text });
    // a hover can be lost while the workbench is busy (a theme change repaints it): move away and back until it shows
    for (let attempt = 1; ; attempt++) {
      await page.mouse.move(5, 5);
      await page.locator('.monaco-hover:not(.hidden)').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
      // the line can be out of view or re-rendered between finding and measuring it: back to the top, then it is looked up again
      const box = await line.boundingBox();
      if (!box) {
        if (attempt >= 3) throw new Error(`the editor shows no line holding '${code}'`);
        await revealLine(1);
        continue;
      }
      await page.mouse.move(box.x + 60 + attempt * 20, box.y + box.height / 2, { steps: 3 });
      const shown = await hover.waitFor({ timeout: 10000 }).then(() => true, (err: Error) => (attempt >= 3 ? Promise.reject(err) : false));
      if (shown) return hover;
    }
  }

  /** Scrolls the active editor to a line with Go to Line (":N" in the command palette's box); only the lines in view are rendered. */
  async function revealLine(line: number) {
    await page.keyboard.press('F1');
    await wb.answerInput(`:${line}`);
    await wb.quickInput.waitFor({ state: 'hidden' });
  }

  /** Waits until a rendered line of the editor shows an after-line hint starting with `text`. */
  const waitForHint = (text: string) => page.waitForFunction((t) => [...document.querySelectorAll('.editor-instance .view-lines span')]
    .some((span) => getComputedStyle(span, '::after').content.startsWith(`"${t}`)), text, { timeout: 60000 });

  /** The after-line hints the editor shows, by 1-based line (read from the rendered decorations). */
  const hints = () => page.evaluate(() => {
    const out: Record<number, string> = {};
    const editor = document.querySelector('.editor-instance .monaco-editor');
    if (!editor) return out;
    for (const line of editor.querySelectorAll<HTMLElement>('.view-lines .view-line')) {
      for (const span of line.querySelectorAll('span')) {
        const content = getComputedStyle(span, '::after').content;
        if (content && content !== 'none' && content !== 'normal') {
          const top = Number.parseFloat(line.style.top);
          const height = line.getBoundingClientRect().height;
          out[Math.round(top / height) + 1] = JSON.parse(content) as string;
        }
      }
    }
    return out;
  });

  it('a reopened session file decorates the lines of app.js that caused its events', async () => {
    await wb.runCommand('Runtime Lens: Open Session File…');
    await wb.answerInput(path.join(SESSIONS, '2026-12-01_14-00-00_node.lens.ndjson.gz'));
    await wb.waitForActiveTab(/node/);
    // from the Explorer: a webview holding the focus keeps keyboard shortcuts such as Ctrl+P
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^app\.js$/ }).first().click();
    await wb.waitForActiveTab('app.js');
    await page.waitForFunction(() => {
      for (const span of document.querySelectorAll('.editor-instance .view-lines span')) {
        if (getComputedStyle(span, '::after').content.includes('open config.json')) return true;
      }
      return false;
    }, undefined, { timeout: 30000 });
    const shown = await hints();
    if (shown[9] !== 'open config.json ×2' || shown[27] !== 'connect 127.0.0.1:40123' || shown[41] !== 'exec uname') {
      throw new Error(`expected hints at lines 9, 27 and 41; the editor shows ${JSON.stringify(shown)}`);
    }
    // the gutter marks: the decoration's icon in the margin, one per decorated line
    const marks = await page.evaluate(() => [...document.querySelectorAll('.editor-instance .margin *')]
      .filter((el) => getComputedStyle(el).backgroundImage.includes('line-events.svg')).length);
    if (marks !== 3) throw new Error(`expected 3 gutter marks, found ${marks}`);
  });

  it('hovering a decorated line lists its events (light, dark and high contrast screenshots)', async () => {
    for (const [label, cls, name] of [['Light Modern', 'vs', 'light'], ['Dark Modern', 'vs-dark', 'dark'], ['Dark High Contrast', 'hc-black', 'hc']] as const) {
      await wb.setColorTheme(label, cls);
      await wb.screenshot(`source-hints-${name}`);
      const hover = await hoverLine('const config = JSON.parse', 'events at line 9');
      const text = await hover.innerText();
      if (!/open.*config\.json O_RDONLY\|O_CLOEXEC → 21.*node \(pid 4100\)/s.test(text) || !/Show all 2 events in the events view/.test(text)) {
        throw new Error(`the hover does not list the line's events: ${text}`);
      }
      await page.screenshot({ path: path.join(SCREENSHOTS, `source-hover-${name}.png`) });
    }
  });

  it('the link in the hover opens the events view filtered to the line', async () => {
    const hover = await hoverLine('const config = JSON.parse', 'events at line 9');
    await hover.locator('a', { hasText: 'Show all 2 events' }).click();
    await wb.waitForActiveTab('Runtime Lens: Events');
    const events = wb.webview();
    await events.locator('#event-counts', { hasText: /^2 of 4 events/ }).waitFor({ timeout: 30000 });
    const filter = await events.locator('#filter').evaluate((f) => (f as HTMLInputElement).value);
    if (filter !== `file:${APP} line:9`) throw new Error(`the events view's filter is '${filter}'`);
    await wb.screenshot('source-events-filtered-hc');
  });

  it('a click on a Source cell opens the file at that line', async () => {
    const events = wb.webview();
    await events.locator('#filter input').fill('kind:exec');
    const cell = events.locator('#events-table .rows .row:not([hidden]) .col-source a', { hasText: 'app.js:41' }).first();
    await cell.waitFor({ timeout: 15000 });
    await cell.click();
    await wb.waitForActiveTab('app.js');
    await page.locator('.editor-instance .view-line', { hasText: 'execFileSync(\'uname\'' }).waitFor();
    const status = await page.locator('.statusbar-item[id="status.editor.selection"]').innerText();
    if (!/Ln 41\b/.test(status)) throw new Error(`the editor's cursor is not at line 41: status bar says '${status}'`);
  });

  it('tracing the demo app with stacks shows, live, the hints at the lines that opened its config file, listed a folder and started a process', async function () {
    requireBpf(this);
    await wb.runCommand('Runtime Lens: Trace Command…');
    await wb.submitInput('node app.js');
    await wb.waitForActiveTab('Runtime Lens: Events');
    await page.locator('.tabs-container .tab', { hasText: /^app\.js/ }).first().click();
    await wb.waitForActiveTab('app.js');
    // the live session is the current one: line 43 (fs.readdirSync of the notes folder) opened it
    await revealLine(43);
    await waitForHint('open data');
    const late = await hints();
    await revealLine(1);
    await waitForHint('open config.json');
    const early = await hints();
    if (!early[9]?.startsWith('open config.json') || !late[43]?.startsWith('open data') || !late[41]?.startsWith('exec uname')) {
      throw new Error(`the live session's hints at lines 9, 41 and 43 are missing; the editor shows ${JSON.stringify(early)} at the top and ${JSON.stringify(late)} around line 43`);
    }
    await wb.screenshot('source-live-hints-hc');
  });
});
