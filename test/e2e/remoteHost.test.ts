/*
 * A remote host in a real VS Code (code-server, the packaged .vsix): a real
 * sshd in its own network and mount namespaces (test/helpers/sshd.ts: no node
 * there, and a folder only the "remote" has) is listed by "Connect to Remote
 * Host…" from the ~/.ssh/config of code-server's HOME (an Include of the
 * host's client config), connected to, and shown in the Sessions view. A
 * command traced on it shows the remote's files in the events view, its
 * session sits under the host and its file names the host. A process of the
 * host, picked from the host's own list, is attached to. Taking the link
 * down marks the host and its running session disconnected with their events
 * kept, and Reconnect brings the host back. Screenshots in the light, dark
 * and high contrast themes go to test-output/screenshots/remote/.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser, FrameLocator } from 'playwright-core';
import { requireBpf } from '../helpers/bpf';
import { TEST_OUTPUT } from '../helpers/paths';
import { waitFor } from '../helpers/procs';
import { REMOTE_ONLY_DIR, startSshHost, type SshHost } from '../helpers/sshd';
import { CodeServer, ensureCodeServer, vsixUnderTest } from './codeServer';
import { stepsBuildOnEachOther } from './steps';
import { launchChromium, Workbench } from './workbench';

const OUTPUT = path.join(TEST_OUTPUT, 'e2e-remote');
const SCREENSHOTS = path.join(TEST_OUTPUT, 'screenshots', 'remote');
const WORKSPACE = path.join(OUTPUT, 'workspace');
const SESSIONS = path.join(OUTPUT, 'sessions');
const HOME = path.join(OUTPUT, 'home');
const REMOTE_FILE = `${REMOTE_ONLY_DIR}/data.txt`;
const THEMES = [['Light Modern', 'vs', 'light'], ['Dark Modern', 'vs-dark', 'dark'], ['Dark High Contrast', 'hc-black', 'hc']] as const;

/** Types a filter into the events table and waits for a row containing `text`; returns the row's text. */
async function expectEventRow(events: FrameLocator, filter: string, text: string | RegExp): Promise<string> {
  await events.locator('#filter input').fill(filter);
  const row = events.locator('#events-table .rows .row').filter({ hasText: text }).first();
  await row.waitFor({ timeout: 30000 }).catch(async () => {
    const shown = await events.locator('#events-table .rows .row').allInnerTexts();
    throw new Error(`no row with ${text} for filter '${filter}'; rows shown: ${shown.slice(0, 8).join(' / ') || 'none'}`);
  });
  return (await row.innerText()).replace(/\s+/g, ' ').trim();
}

/** The header line of a session file. */
function sessionHeader(file: string): Record<string, unknown> {
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8').split('\n')[0]) as Record<string, unknown>;
}

describe('e2e: a remote host over SSH in VS Code (code-server)', function () {
  this.timeout(180_000);
  let host: SshHost | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;
  /** the process attached to on the host (ended after the suite) */
  let remotePid: number | undefined;

  /** The Sessions view's rows. */
  const rows = () => wb.viewPane('Sessions').locator('.monaco-list-row');
  const hostRow = () => rows().filter({ hasText: host!.address }).first();

  /** Waits until the host row says connected; a refusal's notification fails the step with its text. */
  async function connectedOrRefused(): Promise<void> {
    const refusal = wb.notification(/could not (re)?connect/).first();
    const outcome = await Promise.any([
      hostRow().filter({ hasText: /connected ·/ }).waitFor({ timeout: 120000 }).then(() => null),
      refusal.waitFor({ timeout: 120000 }).then(() => refusal.innerText()),
    ]);
    if (outcome !== null) throw new Error(`the connection was refused: ${outcome.replace(/\s+/g, ' ')}`);
  }

  /** Screenshots of the workbench as it is, in each theme; ends in the light one. */
  async function shootThemes(name: string): Promise<void> {
    for (const [label, cls, theme] of THEMES) {
      await wb.setColorTheme(label, cls);
      await wb.screenshot(`${name}-${theme}`);
    }
    await wb.setColorTheme(THEMES[0][0], THEMES[0][1]);
  }

  before(async function () {
    requireBpf(this);
    this.timeout(15 * 60_000); // the first run installs code-server (~3 min) and builds everything
    rmSync(OUTPUT, { recursive: true, force: true });
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    for (const dir of [SCREENSHOTS, SESSIONS, WORKSPACE]) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(WORKSPACE, 'README.md'), '# service deployed on the remote host\n');
    host = await startSshHost();
    // code-server's HOME: its ~/.ssh/config includes the test host's client config
    mkdirSync(path.join(HOME, '.ssh'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(HOME, '.ssh', 'config'), `# test user's config\nInclude ${host.configFile}\n`, { mode: 0o600 });
    const [vsix, launcher] = await Promise.all([vsixUnderTest(OUTPUT), ensureCodeServer()]);
    server = await CodeServer.start({
      launcher,
      stateDir: path.join(OUTPUT, 'code-server'),
      workspace: WORKSPACE,
      extensions: [vsix],
      env: { HOME },
      settings: {
        'runtimeLens.sessionsDirectory': SESSIONS,
        // the test key and the host's known_hosts (ssh reads the real user's ~/.ssh/config, not HOME's)
        'runtimeLens.sshOptions': host.sshOptions,
        'workbench.colorTheme': 'Default Light Modern',
        // terminal text in the DOM, where the test can read what was typed
        'terminal.integrated.gpuAcceleration': 'off',
      },
    });
    browser = await launchChromium();
    wb = await Workbench.open(browser, server.url, OUTPUT, SCREENSHOTS);
  });

  stepsBuildOnEachOther(() => ({ wb, server, outputDir: OUTPUT }));

  after(async function () {
    this.timeout(60_000);
    host?.setLink(true);
    try {
      if (remotePid) process.kill(remotePid, 'SIGKILL');
    } catch { /* already gone */ }
    await wb?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.close();
    host?.stop();
  });

  it('Connect to Remote Host… lists the hosts of ~/.ssh/config, says why a typed text is not a host, and connects to the one picked', async () => {
    await wb.showActivity('Runtime Lens');
    await wb.runCommand('Runtime Lens: Connect to Remote Host…');
    const configured = wb.quickInput.locator('.monaco-list-row', { hasText: host!.address }).first();
    await configured.waitFor({ timeout: 30000 });
    await wb.screenshot('connect-pick');

    await wb.fillInput('root@staging:0');
    await wb.quickInput.locator('.monaco-list-row', { hasText: /not a host/ }).first().waitFor({ timeout: 10000 });
    await wb.quickInput.locator('.monaco-list-row', { hasText: /"0" is not a port/ }).first().waitFor({ timeout: 10000 });
    await wb.screenshot('connect-pick-typed-error');

    await wb.fillInput(host!.address);
    await configured.click();
    // while it connects and deploys, the row says so with the agent's progress (a screenshot when caught in time)
    await hostRow().filter({ hasText: /connecting…/ }).waitFor({ timeout: 5000 }).then(() => wb.screenshot('host-connecting'), () => undefined);
    await connectedOrRefused();
    await rows().filter({ hasText: /No sessions yet/ }).first().waitFor();
    await shootThemes('host-connected');
  });

  it('traces a command on the host: the events view shows the remote\'s files, and the session sits under the host', async () => {
    await hostRow().hover();
    await hostRow().locator('.action-label[aria-label*="Trace Command"]').click();
    await wb.quickInput.locator('.quick-input-title', { hasText: `Trace Command on ${host!.address}` }).waitFor({ timeout: 15000 });
    await wb.submitInput(`cat ${REMOTE_FILE}`, 120000);
    await wb.waitForActiveTab('Runtime Lens: Events');
    const events = wb.webview();
    await expectEventRow(events, 'kind:exec cat', REMOTE_FILE);
    await expectEventRow(events, `kind:open ${REMOTE_FILE}`, REMOTE_FILE);
    await events.locator('#filter input').fill('');
    await wb.showActivity('Runtime Lens');
    // the session is the row right under its host
    await waitFor('the remote session under its host in the Sessions view', async () => {
      const texts = (await rows().allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
      const at = texts.findIndex((t) => t.includes(host!.address));
      return at >= 0 && /cat .*exited \(code 0\)/.test(texts[at + 1] ?? '');
    }, 60000);
    await shootThemes('host-session');

    const file = await waitFor('the remote session\'s file', () => readdirSync(SESSIONS).find((f) => f.endsWith('.lens.ndjson.gz')), 30000);
    const header = sessionHeader(path.join(SESSIONS, file));
    if (header.host !== host!.address) throw new Error(`the session file's header names host ${JSON.stringify(header.host)}, expected ${host!.address}`);
  });

  it('attaches to a process of the host, picked from the host\'s own process list', async () => {
    // a process only the remote side runs: it reads the remote-only file in a loop
    remotePid = Number(host!.exec(['sh', '-c', `(while :; do cat ${REMOTE_FILE} >/dev/null; sleep 0.2; done) </dev/null >/dev/null 2>&1 & echo $!`]).trim());
    await hostRow().hover();
    await hostRow().locator('.action-label[aria-label*="Attach to Process"]').click();
    await wb.quickInput.locator('input.input').fill(String(remotePid));
    const row = wb.quickInput.locator('.monaco-list-row', { hasText: new RegExp(`pid ${remotePid} `) }).first();
    await row.waitFor({ timeout: 60000 });
    await wb.screenshot('host-attach-pick');
    await row.click();
    await wb.waitForActiveTab('Runtime Lens: Events');
    const events = wb.webview();
    // the view shows the attached session (until then it may still list the launched cat's rows)
    await events.locator('.session-line', { hasText: `(pid ${remotePid}) on ${host!.address}` }).waitFor({ timeout: 30000 });
    await expectEventRow(events, `kind:open ${REMOTE_FILE}`, REMOTE_FILE);
    await events.locator('#filter input').fill('');
    await wb.screenshot('host-attach-events');
    await wb.showActivity('Runtime Lens');
    // its events counted in the Sessions view before the next step drops the link
    await rows().filter({ hasText: new RegExp(`pid ${remotePid}.*running · [1-9][\\d.]*k? events`) }).first().waitFor({ timeout: 30000 });
  });

  it('a dropped link marks the host and its running session disconnected with their events kept, and Reconnect brings the host back', async () => {
    host!.setLink(false);
    const lost = wb.notification(new RegExp(`lost the connection to ${host!.address.replace(/\./g, '\\.')}`)).first();
    await lost.waitFor({ timeout: 120000 });
    const message = (await lost.innerText()).replace(/\s+/g, ' ');
    if (!/1 session ended; the events received are kept/.test(message) || !/may have been missed|no event was missed/.test(message)) {
      throw new Error(`the notification does not say that the session ended with its events kept and how many may be missed: ${message}`);
    }
    await wb.showActivity('Runtime Lens');
    await hostRow().filter({ hasText: /disconnected/ }).waitFor({ timeout: 30000 });
    const session = rows().filter({ hasText: new RegExp(`pid ${remotePid}.*disconnected`) }).first();
    await session.waitFor({ timeout: 30000 });
    const row = (await session.innerText()).replace(/\s+/g, ' ');
    if (!/\b[1-9][\d.]*k? events/.test(row)) throw new Error(`the disconnected session lists no events: ${row}`);
    await lost.getByRole('button', { name: 'Reconnect' }).waitFor();
    await wb.webview().locator('#lost-count', { hasText: /may have been missed when the link to the host dropped|lost \(the link to the host dropped\)/ }).first().waitFor({ timeout: 30000 })
      .catch(async () => { throw new Error(`the events view does not say events may have been missed: ${await wb.webview().locator('body').innerText()}`); });
    await shootThemes('host-disconnected');

    // the notification offered Reconnect; by now it may have been hidden: the host's row offers it too
    host!.setLink(true);
    await host!.reachable();
    await hostRow().hover();
    await hostRow().locator('.action-label[aria-label*="Reconnect"]').click();
    await connectedOrRefused();
    await rows().filter({ hasText: new RegExp(`pid ${remotePid}.*disconnected`) }).first().waitFor();
    await wb.screenshot('host-reconnected');
  });

  it('a host that refuses (a user with no root, no sudo) is shown with the agent\'s fix: the command to run once there, typed into a terminal', async () => {
    const target = host!.unprivilegedTarget;
    await wb.runCommand('Runtime Lens: Connect to Remote Host…');
    await wb.fillInput(target);
    const typed = wb.quickInput.locator('.monaco-list-row', { hasText: 'connect to the host typed' }).first();
    await typed.waitFor({ timeout: 15000 });
    await typed.click();
    const refusal = wb.notification(new RegExp(`could not connect to ${target.replace(/\./g, '\\.')}`)).first();
    await refusal.waitFor({ timeout: 120000 });
    const text = (await refusal.innerText()).replace(/\s+/g, ' ');
    if (!/cannot load eBPF programs/.test(text)) throw new Error(`the refusal does not say what is missing: ${text}`);
    await wb.screenshot('host-refused');
    await refusal.getByRole('button', { name: 'Open terminal on the host' }).click();
    const typedCommand = wb.page.locator('.terminal-wrapper.active .xterm-rows', { hasText: /ssh -t .*lensremote@.*sudo setcap cap_bpf/ });
    await typedCommand.waitFor({ timeout: 30000 }).catch(async () => {
      throw new Error(`the terminal does not show the ssh command with the fix: ${await wb.page.locator('.xterm-rows').allInnerTexts()}`);
    });
    await wb.screenshot('host-refused-terminal');
    await wb.showActivity('Runtime Lens');
    if (await rows().filter({ hasText: target }).count() > 0) throw new Error(`the refused host ${target} is still listed in the Sessions view`);
  });

  it('Disconnect removes the host from the Sessions view; its sessions stay, naming the host', async () => {
    await wb.showActivity('Runtime Lens');
    await hostRow().hover();
    await hostRow().locator('.action-label[aria-label*="Disconnect"]').click();
    await waitFor('the host row to go', async () => !(await rows().allInnerTexts()).some((t) => t.includes(`${host!.address} connected`)), 30000);
    await rows().filter({ hasText: new RegExp(`cat ${REMOTE_FILE}.*on ${host!.address.replace(/\./g, '\\.')}`) }).first().waitFor({ timeout: 30000 });
    await rows().filter({ hasText: new RegExp(`pid ${remotePid}.*disconnected.*on ${host!.address.replace(/\./g, '\\.')}`) }).first().waitFor({ timeout: 30000 });
    await wb.screenshot('host-removed');
  });
});
