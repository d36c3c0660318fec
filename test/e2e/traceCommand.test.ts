/*
 * Acceptance test in a real VS Code: the packaged .vsix installed into
 * code-server, driven through Chromium. "Runtime Lens: Trace Command…" runs
 * test/fixtures/demo-workspace/e2e-fixture.js under real eBPF; the views must
 * show its exec, open and connect, its child and its endpoint; the stopped
 * session must reopen from its file with the same rows. Bad input (an empty or
 * unknown command, a filter syntax error, a process that exited before the
 * attach) must be explained in place. "Attach to Process…" traces a running
 * process. Screenshots of every view, in the light, dark and high contrast
 * themes, go to test-output/screenshots/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, FrameLocator, Locator } from 'playwright-core';
import { requireBpf } from '../helpers/bpf';
import { FIXTURES, TEST_OUTPUT } from '../helpers/paths';
import { waitFor } from '../helpers/procs';
import { CodeServer, ensureCodeServer, vsixUnderTest } from './codeServer';
import { stepsBuildOnEachOther } from './steps';
import { launchChromium, Workbench } from './workbench';


const OUTPUT = path.join(TEST_OUTPUT, 'e2e');
const SCREENSHOTS = path.join(TEST_OUTPUT, 'screenshots');
const WORKSPACE = path.join(OUTPUT, 'workspace');
const SESSIONS = path.join(OUTPUT, 'sessions');
const FIXTURE_COMMAND = 'node e2e-fixture.js';

/** Processes started by startAttachee, ended after the suite. */
const attachees: ChildProcess[] = [];

/** Empties the events filter and waits until the table counts every event again ("N of N events"). */
async function clearEventFilter(events: FrameLocator): Promise<void> {
  await events.locator('#filter input').fill('');
  await events.locator('#event-counts', { hasText: /^\s*([\d,]+) of \1 events/ }).waitFor({ timeout: 10000 });
}

/** Types a filter into the events table and waits for a row containing `text`. */
async function expectEventRow(events: FrameLocator, filter: string, text: string | RegExp): Promise<string> {
  const input = events.locator('#filter input');
  await input.fill(filter);
  await events.locator('#filter-error').waitFor({ state: 'hidden' });
  const row = events.locator('#events-table .rows .row').filter({ hasText: text }).first();
  await row.waitFor({ timeout: 30000 }).catch(async () => {
    const shown = await events.locator('#events-table .rows .row').allInnerTexts();
    throw new Error(`no row with ${text} for filter '${filter}'; rows shown: ${shown.slice(0, 8).join(' / ') || 'none'}`);
  });
  return (await row.innerText()).replace(/\s+/g, ' ').trim();
}

describe('e2e: Runtime Lens in VS Code (code-server)', function () {
  this.timeout(120_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;
  let endpoint = '';
  const liveRows: string[] = [];

  before(async function () {
    requireBpf(this);
    this.timeout(15 * 60_000); // the first run installs code-server (~3 min) and builds everything
    rmSync(OUTPUT, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const png of readdirSync(SCREENSHOTS).filter((f) => f.endsWith('.png'))) rmSync(path.join(SCREENSHOTS, png));
    mkdirSync(SESSIONS, { recursive: true });
    cpSync(path.join(FIXTURES, 'demo-workspace'), WORKSPACE, { recursive: true });
    const [vsix, launcher] = await Promise.all([vsixUnderTest(OUTPUT), ensureCodeServer()]);
    server = await CodeServer.start({
      launcher,
      stateDir: path.join(OUTPUT, 'code-server'),
      workspace: WORKSPACE,
      extensions: [vsix],
      settings: {
        'runtimeLens.sessionsDirectory': SESSIONS,
        // syscount (in-kernel syscall counts) fills the syscall summary
        'runtimeLens.events': ['exec', 'file', 'net', 'dns', 'syscount'],
      },
    });
    browser = await launchChromium();
    wb = await Workbench.open(browser, server.url, OUTPUT, SCREENSHOTS);
  });

  stepsBuildOnEachOther(() => ({ wb, server, outputDir: OUTPUT }));

  after(async function () {
    this.timeout(60_000);
    for (const child of attachees) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await wb?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.close();
  });

  it('shows the Runtime Lens activity bar container with Sessions and Processes views', async () => {
    await wb.showActivity('Runtime Lens');
    await wb.viewPane('Sessions').waitFor();
    await wb.viewPane('Processes').waitFor();
    await wb.screenshot('sidebar-empty');
  });

  it('explains an empty and an unknown command in the Trace Command input, in place', async () => {
    await wb.runCommand('Runtime Lens: Trace Command…');
    await wb.answerInput('');
    await wb.inputError.filter({ hasText: /command/i }).waitFor({ timeout: 15000 });
    await wb.screenshot('trace-command-empty');

    await wb.answerInput('no-such-program-lens-e2e --flag');
    await wb.inputError.filter({ hasText: /no-such-program-lens-e2e.*not/i }).waitFor({ timeout: 15000 });
    await wb.screenshot('trace-command-unknown');
    await wb.quickInput.locator('input.input').waitFor(); // still open, ready for a good command
  });

  it('traces the fixture: the events table shows its exec, open and connect', async () => {
    await wb.submitInput(FIXTURE_COMMAND);
    endpoint = await waitFor('the fixture to connect (e2e-endpoint.txt)', () => {
      const file = path.join(WORKSPACE, 'e2e-endpoint.txt');
      return existsSync(file) && readFileSync(file, 'utf8').trim();
    }, 60000);

    await wb.waitForActiveTab('Runtime Lens: Events');
    const events = wb.webview();
    await events.locator('#events-table').waitFor({ timeout: 30000 });
    await wb.screenshot('events-live');
    liveRows.push(await expectEventRow(events, 'kind:exec e2e-fixture.js', 'e2e-fixture.js'));
    liveRows.push(await expectEventRow(events, 'kind:exec cat', 'cat'));
    liveRows.push(await expectEventRow(events, 'kind:open e2e-marker.txt', 'e2e-marker.txt'));
    await wb.screenshot('events-open');
    const port = endpoint.split(':').pop()!;
    liveRows.push(await expectEventRow(events, `kind:connect ${port}`, port));
    await wb.screenshot('events-connect');
    await clearEventFilter(events);
    await wb.screenshot('events');
  });

  it('shows the session and its processes in the side bar', async () => {
    await wb.showActivity('Runtime Lens');
    await wb.viewPane('Sessions').locator('.monaco-list-row', { hasText: FIXTURE_COMMAND }).first().waitFor({ timeout: 30000 });
    await wb.viewPane('Processes').locator('.monaco-list-row', { hasText: 'node' }).first().waitFor({ timeout: 30000 });
    await wb.screenshot('sidebar');
  });

  it('shows the child in the process tree', async () => {
    await wb.runCommand('Runtime Lens: Open Process Tree');
    await wb.waitForActiveTab('Runtime Lens: Process Tree');
    const tree = wb.webview();
    // A node's tooltip reads "<comm> (pid N, parent P)…": the chain must be node → sh → cat.
    const node = async (comm: string) => {
      const g = tree.locator('g.tree-node').filter({ has: tree.locator('tspan.tree-name', { hasText: new RegExp(`^${comm} \\d+`) }) }).first();
      await g.waitFor({ timeout: 30000 });
      const title = (await g.locator('title').textContent()) ?? '';
      const m = /pid (\d+), parent (\d+)/.exec(title);
      if (!m) throw new Error(`the tree node of ${comm} has no "pid N, parent P" tooltip: '${title}'`);
      return { pid: Number(m[1]), ppid: Number(m[2]) };
    };
    const [fixture, sh, cat] = [await node('node'), await node('sh'), await node('cat')];
    if (sh.ppid !== fixture.pid || cat.ppid !== sh.pid) {
      throw new Error(`expected node ${fixture.pid} → sh → cat, got sh ${sh.pid} (parent ${sh.ppid}), cat ${cat.pid} (parent ${cat.ppid})`);
    }
    await wb.screenshot('process-tree');
  });

  it('shows the endpoint in the network map', async () => {
    await wb.runCommand('Runtime Lens: Open Network Map');
    await wb.waitForActiveTab('Runtime Lens: Network Map');
    const map = wb.webview();
    const [host, port] = endpoint.split(':');
    const endpointNode = map.locator('g.net-node.net-endpoint').filter({ hasText: host });
    await endpointNode.first().waitFor({ timeout: 30000 });
    const tooltip = (await endpointNode.first().locator('title').textContent()) ?? '';
    const label = (await endpointNode.first().locator('text').textContent()) ?? '';
    if (!`${label} ${tooltip}`.includes(port)) throw new Error(`the endpoint node does not name port ${port}: '${label}' / '${tooltip}'`);
    await map.locator('g.net-node.net-process').first().waitFor();
    await wb.screenshot('network-map');
  });

  it('shows the timeline and the syscall summary', async () => {
    await wb.runCommand('Runtime Lens: Open Timeline');
    await wb.waitForActiveTab('Runtime Lens: Timeline');
    await wb.webview().locator('.lane-label', { hasText: /\bcat\b/ }).first().waitFor({ timeout: 30000 });
    await wb.screenshot('timeline');
    await wb.runCommand('Runtime Lens: Open Syscall Summary');
    await wb.waitForActiveTab('Runtime Lens: Syscall Summary');
    await wb.webview().locator('#summary-table .srow:not(.header)', { hasText: 'openat' }).first().waitFor({ timeout: 30000 });
    await wb.screenshot('syscall-summary');
  });

  it('stops the session and records it to a file', async () => {
    await wb.runCommand('Runtime Lens: Stop');
    await wb.showActivity('Runtime Lens');
    await wb.viewPane('Sessions').locator('.monaco-list-row', { hasText: /stopped|exited/i }).first().waitFor({ timeout: 30000 });
    await wb.screenshot('sidebar-stopped');
    await waitFor('a session file in the sessions folder', () => readdirSync(SESSIONS).find((f) => f.endsWith('.lens.ndjson.gz')), 30000);
  });

  it('reopens the stopped session from its file with the same rows', async () => {
    const file = path.join(SESSIONS, readdirSync(SESSIONS).find((f) => f.endsWith('.lens.ndjson.gz'))!);
    await wb.runCommand('Runtime Lens: Open Session File…');
    // The picker lists the recorded sessions of the sessions folder, newest first.
    const recorded = wb.quickInput.locator('.monaco-list-row', { hasText: path.basename(file, '.lens.ndjson.gz') }).first();
    await recorded.waitFor({ timeout: 30000 });
    await recorded.click();
    await wb.waitForActiveTab(path.basename(file).slice(0, 20));
    const events = wb.webview();
    await events.locator('#events-table').waitFor({ timeout: 30000 });
    const port = endpoint.split(':').pop()!;
    const reopened = [
      await expectEventRow(events, 'kind:exec e2e-fixture.js', 'e2e-fixture.js'),
      await expectEventRow(events, 'kind:exec cat', 'cat'),
      await expectEventRow(events, 'kind:open e2e-marker.txt', 'e2e-marker.txt'),
      await expectEventRow(events, `kind:connect ${port}`, port),
    ];
    await clearEventFilter(events);
    await wb.screenshot('session-file');
    for (let i = 0; i < reopened.length; i++) {
      if (reopened[i] !== liveRows[i]) throw new Error(`row ${i} differs after reopening:\n live:     ${liveRows[i]}\n reopened: ${reopened[i]}`);
    }
  });

  it('reports a syntax error in the events filter in place', async () => {
    const events = wb.webview();
    await events.locator('#filter input').fill('kind:');
    await events.locator('#filter-error').waitFor({ state: 'visible', timeout: 10000 });
    await wb.screenshot('events-filter-error');
    await events.locator('#filter input').fill('');
  });

  it('follows the dark and high contrast themes in every view', async () => {
    const themes = [
      { label: 'Dark Modern', workbench: 'vs-dark', body: 'vscode-dark', name: 'dark' },
      { label: 'Dark High Contrast', workbench: 'hc-black', body: 'vscode-high-contrast', name: 'high-contrast' },
    ];
    const views = [
      { command: 'Runtime Lens: Open Events', tab: 'Runtime Lens: Events', shot: 'events', ready: '#events-table .rows .row' },
      { command: 'Runtime Lens: Open Process Tree', tab: 'Runtime Lens: Process Tree', shot: 'process-tree', ready: 'g.tree-node' },
      { command: 'Runtime Lens: Open Network Map', tab: 'Runtime Lens: Network Map', shot: 'network-map', ready: 'g.net-node' },
      { command: 'Runtime Lens: Open Timeline', tab: 'Runtime Lens: Timeline', shot: 'timeline', ready: '.lane-label' },
      { command: 'Runtime Lens: Open Syscall Summary', tab: 'Runtime Lens: Syscall Summary', shot: 'syscall-summary', ready: '#summary-table' },
    ];
    for (const theme of themes) {
      await wb.setColorTheme(theme.label, theme.workbench);
      for (const view of views) {
        await wb.runCommand(view.command);
        await wb.waitForActiveTab(view.tab);
        await wb.webview().locator(`body.${theme.body}`).waitFor({ timeout: 15000 });
        await wb.webview().locator(view.ready).first().waitFor({ timeout: 30000 });
        await wb.screenshot(`${view.shot}-${theme.name}`);
      }
    }
  });

  it('attaches to a running process picked by pid and shows its opens', async () => {
    const target = await startAttachee();
    const row = await openAttachPick(wb, target.pid);
    await wb.screenshot('attach-pick');
    await row.click();
    await wb.waitForActiveTab('Runtime Lens: Events');
    const events = wb.webview();
    await expectEventRow(events, 'kind:open attach-tick.txt', String(target.pid));
    await wb.screenshot('attach-events');
    await wb.runCommand('Runtime Lens: Stop');
    await wb.showActivity('Runtime Lens');
    await wb.viewPane('Sessions').locator('.monaco-list-row', { hasText: new RegExp(`${target.pid}.*stopped|stopped.*${target.pid}`) }).first().waitFor({ timeout: 30000 })
      .catch(async () => {
        const rows = await wb.viewPane('Sessions').locator('.monaco-list-row').allInnerTexts();
        throw new Error(`no stopped session for pid ${target.pid} in the Sessions view: ${rows.join(' / ')}`);
      });
  });

  it('says clearly that a picked process has exited meanwhile', async () => {
    const target = await startAttachee();
    const row = await openAttachPick(wb, target.pid);
    await target.end();
    await row.click();
    await wb.notification(new RegExp(`${target.pid}.*no longer running`)).first().waitFor({ timeout: 30000 });
    await wb.screenshot('attach-exited');
  });
});

/**
 * Opens "Attach to Process…" (from the Sessions view's title button, then from the
 * command palette) and filters it to `pid`. A pick opened while the palette's own
 * quick input is still closing can stay inert; it is then opened again (at most
 * three times, each retry reported).
 */
async function openAttachPick(wb: Workbench, pid: number): Promise<Locator> {
  for (let attempt = 1; ; attempt++) {
    if (attempt === 1) {
      // the Sessions view's title button: no command palette closing underneath the pick
      await wb.showActivity('Runtime Lens');
      await wb.viewPane('Sessions').hover();
      await wb.viewPane('Sessions').locator('.action-label[aria-label*="Attach to Process"]').first().click();
    } else {
      await wb.runCommand('Runtime Lens: Attach to Process…');
    }
    const row = wb.quickInput.locator('.monaco-list-row', { hasText: new RegExp(`pid ${pid} `) }).first();
    try {
      await wb.quickInput.locator('input.input').fill(String(pid), { timeout: 15000 });
      await row.waitFor({ timeout: 15000 });
      return row;
    } catch (err) {
      if (attempt === 3) throw err;
      console.warn(`      (attach pick not usable on attempt ${attempt}: ${(err as Error).message.split('\n')[0]}; opening it again)`);
      await wb.page.keyboard.press('Escape');
    }
  }
}

/** Starts test/e2e/fixtures/attachee.js in the workspace and waits for its "ready". */
async function startAttachee(): Promise<{ pid: number; end: () => Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'attachee.js')], { cwd: WORKSPACE, stdio: ['ignore', 'pipe', 'inherit'] });
  attachees.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`attachee.js exited (code ${code}) before it was ready`)));
    child.stdout!.once('data', () => resolve());
  });
  const end = async () => {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };
  return { pid: child.pid!, end };
}
