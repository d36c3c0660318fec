/*
 * Findings in a real VS Code (code-server, the packaged .vsix): "Trace Command…"
 * runs `npm install` of a demo project whose install script reads an SSH
 * private key (a fake one, in a temporary HOME), under real eBPF. The
 * Problems panel shows the finding at the script's line, the Findings view
 * groups it under its rule, the notification offers its quick actions, and
 * "Show the Event" opens the events table with the finding's row
 * highlighted; Save as Baseline and Compare with Baseline go through the
 * (simple) file dialog. Screenshots in the light, dark and high contrast themes go to
 * test-output/screenshots/findings/.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { stablePath } from '../../remote-agent/src/baseline/behaviour';
import { requireBpf } from '../helpers/bpf';
import { FIXTURES, TEST_OUTPUT } from '../helpers/paths';
import { CodeServer, ensureCodeServer, vsixUnderTest } from './codeServer';
import { launchChromium, Workbench } from './workbench';

const OUTPUT = path.join(TEST_OUTPUT, 'e2e-findings');
const SCREENSHOTS = path.join(TEST_OUTPUT, 'screenshots', 'findings');
const WORKSPACE = path.join(OUTPUT, 'install-demo');
const HOME = path.join(OUTPUT, 'home');
const SESSIONS = path.join(OUTPUT, 'sessions');
const SCRIPT = path.join(WORKSPACE, 'install.js');
const RULE = 'Read of SSH private key';
const THEMES = [['Light Modern', 'vs', 'light'], ['Dark Modern', 'vs-dark', 'dark'], ['Dark High Contrast', 'hc-black', 'hc']] as const;

describe('e2e: security findings in VS Code (code-server)', function () {
  this.timeout(180_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;
  let page: Page;
  let keyLine = 0;

  before(async function () {
    requireBpf(this);
    this.timeout(15 * 60_000); // the first run installs code-server and builds everything
    rmSync(OUTPUT, { recursive: true, force: true });
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    mkdirSync(SESSIONS, { recursive: true });
    cpSync(path.join(FIXTURES, 'install-demo'), WORKSPACE, { recursive: true });
    mkdirSync(path.join(HOME, '.ssh'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(HOME, '.ssh', 'id_rsa'), '-----BEGIN OPENSSH PRIVATE KEY-----\nfake key for the runtime-lens e2e test\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
    keyLine = readFileSync(SCRIPT, 'utf8').split('\n').findIndex((l) => l.includes('@mark ssh-key')) + 1;
    const [vsix, launcher] = await Promise.all([vsixUnderTest(OUTPUT), ensureCodeServer()]);
    server = await CodeServer.start({
      launcher, stateDir: path.join(OUTPUT, 'code-server'), workspace: WORKSPACE, extensions: [vsix],
      // the file dialogs as quick inputs (code-server's native one does not take Enter)
      settings: { 'runtimeLens.sessionsDirectory': SESSIONS, 'files.simpleDialog.enable': true },
    });
    browser = await launchChromium();
    wb = await Workbench.open(browser, server.url, OUTPUT, SCREENSHOTS);
    page = wb.page;
  });

  /** Shows the Problems panel (the status bar's problems item toggles it) and waits for the finding's entry. */
  async function showProblems(text = 'read the SSH private key') {
    if (!(await page.locator('.markers-panel').isVisible())) await page.locator('.statusbar-item[id="status.problems"]').click();
    const entry = page.locator('.markers-panel .monaco-list-row').filter({ hasText: text }).first();
    await entry.waitFor({ timeout: 60000 });
    return entry;
  }

  /** Answers the simple file dialog with `file` once it has listed its folder (typed earlier, the listing would replace it). */
  async function answerFileDialog(file: string) {
    await page.waitForFunction(() => (document.querySelector<HTMLInputElement>('.quick-input-widget input.input')?.value ?? '').startsWith('/'));
    await wb.quickInput.locator('.monaco-list-row').first().waitFor();
    await wb.submitInput(file);
  }

  /** Gives the keyboard focus back to the workbench (a focused webview may keep F1 from the command palette). */
  async function focusWorkbench() {
    await page.keyboard.press('Escape');
    await page.locator('.part.sidebar .pane-header').first().focus();
  }

  after(async function () {
    this.timeout(60_000);
    await wb?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.close();
  });

  it('tracing npm install: the install script\'s read of the SSH key is a finding in the Problems panel at its line, and notified', async () => {
    await wb.runCommand('Runtime Lens: Trace Command…');
    await wb.submitInput(`env HOME=${HOME} npm install --offline --no-audit --no-fund`);
    await wb.waitForActiveTab('Runtime Lens: Events');
    // critical: a notification names the rule, with its quick actions
    await wb.notification(RULE).first().waitFor({ timeout: 90000 });
    const marker = await showProblems();
    const text = (await marker.innerText()).replace(/\s+/g, ' ');
    if (!text.includes(`${path.join(HOME, '.ssh', 'id_rsa')}`) || !new RegExp(`\\[Ln ${keyLine}, Col \\d+\\]`).test(text)) {
      throw new Error(`the Problems panel's finding is not at install.js line ${keyLine}: ${text}`);
    }
    const file = page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'install.js' }).first();
    await file.waitFor();
  });

  it('the Findings view groups the findings by rule with counts; Show the Event highlights the finding in the events table (light, dark, high contrast)', async () => {
    await wb.showActivity('Runtime Lens');
    const pane = wb.viewPane('Findings');
    const group = pane.locator('.monaco-list-row').filter({ hasText: RULE }).first();
    await group.waitFor({ timeout: 30000 });
    const groupText = (await group.innerText()).replace(/\s+/g, ' ');
    if (!/\b1 · critical\s*$/.test(groupText.replace(RULE, ''))) throw new Error(`the rule's row does not say "1 · critical": ${JSON.stringify(groupText)}`);
    const finding = pane.locator('.monaco-list-row').filter({ hasText: 'read the SSH private key' }).first();
    await finding.waitFor();
    if (!(await finding.innerText()).includes(`install.js:${keyLine}`)) throw new Error(`the finding's row does not name install.js:${keyLine}: ${await finding.innerText()}`);
    await finding.click({ button: 'right' });
    await page.locator('.context-view .action-label', { hasText: 'Runtime Lens: Show the Event' }).click();
    await wb.waitForActiveTab('Runtime Lens: Events');
    const events = wb.webview();
    const row = events.locator('#events-table .rows .row.finding').filter({ hasText: RULE }).first();
    await row.waitFor({ timeout: 30000 });
    const colours = await row.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el.parentElement!.querySelector('.row:not(.finding)') ?? el).backgroundColor]);
    if (colours[0] === colours[1]) throw new Error(`the finding's row is not highlighted: background ${colours[0]} like the others`);
    await showProblems();
    await focusWorkbench();
    for (const [label, cls, name] of THEMES) {
      await wb.setColorTheme(label, cls);
      await row.waitFor();
      await wb.screenshot(`findings-${name}`);
    }
  });

  it('opening install.js shows the finding\'s squiggle at the line that read the key', async () => {
    await (await showProblems()).dblclick();
    await wb.waitForActiveTab('install.js');
    const status = await page.locator('.statusbar-item[id="status.editor.selection"]').innerText();
    if (!new RegExp(`Ln ${keyLine}\\b`).test(status)) throw new Error(`the editor is not at line ${keyLine}: the status bar says '${status}'`);
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ timeout: 15000 });
    await wb.screenshot('findings-editor-hc');
  });

  it('a rule file of the workspace with a mistake shows it in the Problems panel on the rule file, with the closest field', async () => {
    const rules = path.join(WORKSPACE, '.runtime-lens', 'rules.yaml');
    mkdirSync(path.dirname(rules), { recursive: true });
    writeFileSync(rules, ['- rule: Curl from the install script', '  desc: the install script downloads', '  condition: evt.type = execve and proc.nmae = curl', '  output: "%proc.cmdline"', '  priority: WARNING', ''].join('\n'));
    await wb.showActivity('Explorer');
    const row = (name: string) => page.locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }).first();
    await page.mouse.move(800, 500); // the activity bar's hover would cover the Explorer
    await row('.runtime-lens').click({ timeout: 30000, force: true });
    await row('rules.yaml').click({ timeout: 30000, force: true });
    await wb.waitForActiveTab('rules.yaml');
    await page.keyboard.press('Control+S'); // reloaded on save
    const problem = await showProblems('proc.name');
    const text = (await problem.innerText()).replace(/\s+/g, ' ');
    if (!/proc\.nmae/.test(text) || !/\[Ln 3, Col \d+\]/.test(text)) throw new Error(`the rule file's problem is not at line 3 naming proc.nmae: ${text}`);
    await wb.screenshot('findings-rule-file-hc');
  });

  it('Save as Baseline writes the session\'s profile; Compare with Baseline with it finds no drift', async () => {
    await focusWorkbench();
    const baseline = path.join(WORKSPACE, '.runtime-lens', 'baseline.json');
    await wb.runCommand('Runtime Lens: Save as Baseline…');
    await answerFileDialog(baseline);
    await wb.notification(/baseline of .* saved to .*baseline\.json/).first().waitFor({ timeout: 30000 });
    const profile = JSON.parse(readFileSync(baseline, 'utf8')) as { files: { behaviour: string; packages: string[] }[] };
    // as the profile groups it: a folder under a temporary root (a checkout under /tmp) is written with * there
    if (!profile.files.some((f) => f.behaviour === `read ${stablePath(path.join(HOME, '.ssh'))}`)) throw new Error(`the baseline does not have the read of ~/.ssh: ${profile.files.map((f) => f.behaviour).join(', ')}`);
    await wb.runCommand('Runtime Lens: Compare with Baseline…');
    await answerFileDialog(baseline);
    await wb.notification(/\b0 behaviour\(s\) of .* not in baseline\.json/).first().waitFor({ timeout: 30000 });
  });
});
