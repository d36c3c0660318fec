/*
 * `npm start` as a user runs it: it prints a URL that serves the workbench with the extension,
 * and a signal stops code-server with every process it started (extension host, agent): SIGTERM
 * sent to npm (`kill`, a process manager), or SIGINT sent to npm's whole process group (what
 * Ctrl-C in a terminal does).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { REPO_ROOT, TEST_OUTPUT } from '../helpers/paths';
import { descendants, startTime, waitFor } from '../helpers/procs';
import { ensureCodeServer, vsixUnderTest } from './codeServer';
import { launchChromium, Workbench } from './workbench';

const OUTPUT = path.join(TEST_OUTPUT, 'e2e-start');

/** The command line of `pid`, or '' once it is gone. */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

describe('e2e: npm start', function () {
  this.timeout(120_000);
  let vsix = '';
  let browser: Browser | undefined;

  before(async function () {
    this.timeout(15 * 60_000); // the first run installs code-server
    rmSync(OUTPUT, { recursive: true, force: true });
    mkdirSync(OUTPUT, { recursive: true });
    [vsix] = await Promise.all([vsixUnderTest(OUTPUT), ensureCodeServer()]);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  const cases = [
    { signal: 'SIGTERM', to: 'npm', group: false },
    { signal: 'SIGINT', to: "npm's process group (Ctrl-C)", group: true },
  ] as const;
  for (const { signal, to, group } of cases) {
    it(`serves the workbench with the extension at the URL it prints; ${signal} to ${to} stops code-server and all it started`, async () => {
      const npm = spawn('npm', ['start'], {
        cwd: REPO_ROOT,
        detached: true, // its own process group, as a command typed in a terminal
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, RUNTIME_LENS_SKIP_SETUP: '1', RUNTIME_LENS_VSIX: vsix, RUNTIME_LENS_START_STATE: path.join(OUTPUT, signal) },
      });
      let output = '';
      npm.stdout.on('data', (d: Buffer) => { output += d.toString(); });
      npm.stderr.on('data', (d: Buffer) => { output += d.toString(); });
      let npmExit: string | undefined;
      const exited = new Promise<void>((resolve) => npm.once('exit', (code, sig) => { npmExit = `code ${code}, signal ${sig}`; resolve(); }));
      let started: Array<{ pid: number; start: number | undefined; cmd: string }> = [];
      let wb: Workbench | undefined;
      try {
        const url = await waitFor('npm start to print its URL', () => /running in VS Code at:\s+(\S+)/.exec(output)?.[1], 90_000)
          .catch((err: Error) => { throw new Error(`${err.message}; its output:\n${output.slice(-3000)}`); });
        wb = await Workbench.open(browser!, url, path.join(OUTPUT, signal));
        await wb.showActivity('Runtime Lens');
        await wb.viewPane('Sessions').waitFor();
        await wb.runCommand('Runtime Lens: Restart Agent');
        started = await waitFor('the extension\'s agent to run under npm start', () => {
          const tree = descendants(npm.pid!).map((p) => ({ pid: p.pid, start: startTime(p.pid), cmd: cmdline(p.pid) }));
          return tree.some((p) => /runtime-lens\.js agent/.test(p.cmd)) && tree.some((p) => /extensionHost|bootstrap-fork/.test(p.cmd)) && tree;
        }, 60_000);

        if (npmExit) assert.fail(`npm start ended by itself (${npmExit}) before the ${signal}; its output:\n${output.slice(-3000)}`);
        process.kill(group ? -npm.pid! : npm.pid!, signal);
        await exited;
        const left = () => started.filter((p) => p.start !== undefined && startTime(p.pid) === p.start);
        await waitFor('every process npm start ran to exit', () => left().length === 0, 30_000)
          .catch(() => assert.fail(`still running after ${signal} and npm's exit:\n${left().map((p) => `${p.pid} ${p.cmd}`).join('\n')}\nnpm start's output:\n${output.slice(-1500)}`));
        assert.match(output, new RegExp(`stopping \\(${signal}\\)`));
      } finally {
        await wb?.close().catch(() => undefined);
        for (const p of started) if (startTime(p.pid) === p.start) process.kill(p.pid, 'SIGKILL');
        try { process.kill(-npm.pid!, 'SIGKILL'); } catch { /* already gone */ }
      }
    });
  }
});
