// Memory of the real VS Code extension host under a steady event stream: the packaged .vsix in
// code-server, driven through Chromium, traces test/fixtures/bench/open-loop.js (one `open` event per
// open with the default event groups) with the Events view open, and samples the extension host's RSS
// and the status bar's event count every --interval seconds. Writes a markdown table and a verdict.
// Usage: npx tsx scripts/bench/extension-host-soak.ts [--seconds 600] [--rate 20000] [--interval 10]
//          [--bound-mb 1024] [--out test-output/bench-exthost.md]   (root; LENS_E2E_VSIX=FILE skips packaging)
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { FIXTURES, REPO_ROOT, TEST_OUTPUT } from '../../test/helpers/paths';
import { processTable, waitFor } from '../../test/helpers/procs';
import { CodeServer, ensureCodeServer, vsixUnderTest } from '../../test/e2e/codeServer';
import { launchChromium, Workbench } from '../../test/e2e/workbench';

const log = (msg: string) => process.stderr.write(`exthost-soak: ${msg}\n`);

const USAGE = `usage: npx tsx scripts/bench/extension-host-soak.ts [options]   (as root: the trace uses eBPF)
  --seconds N     how long the workload runs and is traced (default 600)
  --rate N        opens per second of the workload (default 20000)
  --interval N    seconds between samples (default 10)
  --bound-mb N    the extension host RSS the verdict requires it to stay below (default 1024)
  --out FILE      markdown report (default test-output/bench-exthost.md)
  LENS_E2E_VSIX=FILE uses that .vsix instead of packaging one with scripts/package.sh`;

interface Options {
  seconds: number;
  rate: number;
  interval: number;
  boundMB: number;
  out: string;
}

/** Parses argv; throws naming the bad argument, returns null for --help. */
function parseOptions(argv: string[]): Options | null {
  const o: Options = { seconds: 600, rate: 20000, interval: 10, boundMB: 1024, out: 'test-output/bench-exthost.md' };
  const numeric: Record<string, keyof Omit<Options, 'out'>> = { '--seconds': 'seconds', '--rate': 'rate', '--interval': 'interval', '--bound-mb': 'boundMB' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--help' || flag === '-h') return null;
    const value = argv[++i];
    if (flag === '--out') {
      if (!value) throw new Error('--out needs a file name');
      o.out = value;
    } else if (numeric[flag]) {
      const n = Number(value);
      if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${flag} needs a positive number, got '${value ?? ''}'`);
      o[numeric[flag]] = n;
    } else {
      throw new Error(`unknown argument '${flag}' (see --help)`);
    }
  }
  if (o.interval > o.seconds) throw new Error(`--interval ${o.interval} is longer than --seconds ${o.seconds}: no sample would be taken during the run`);
  return o;
}

/** One sample of the run. */
interface Sample {
  /** seconds since the trace command was accepted */
  t: number;
  /** events received as the status bar shows them (rounded there: 1.2M) */
  eventsShown: string;
  events: number;
  extHostMB: number;
  /** all runtime-lens agent processes the extension host runs, together */
  agentMB: number;
  agents: number;
}

const OUTPUT = path.join(TEST_OUTPUT, 'bench-exthost');
const WORKSPACE = path.join(OUTPUT, 'workspace');

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** Resident set size of a process in MB, or NaN once it has exited. */
function rssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The extension host of this code-server (found by its user-data folder on the command line of
 * code-server) and the runtime-lens agent, checked to be the extension host's child.
 */
function findExtensionHost(userDataDir: string): { extHost: number; agents: number[] } | undefined {
  const table = processTable();
  const roots = [...table.keys()].filter((pid) => cmdline(pid).includes(userDataDir));
  const ours = new Set<number>(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, info] of table) {
      if (!ours.has(pid) && ours.has(info.ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  const hosts = [...ours].filter((pid) => /extensionHost|--type=extensionHost/.test(cmdline(pid)));
  for (const extHost of hosts) {
    const agents = [...ours].filter((pid) => table.get(pid)!.ppid === extHost && /runtime-lens\.js agent --stdio/.test(cmdline(pid)));
    if (agents.length) return { extHost, agents };
  }
  return undefined;
}

/** "1.2M" / "35k" / "950" as a number. */
function parseShort(text: string): number {
  const m = /^([\d.]+)([kM]?)$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1);
}

/** Bounded: RSS in the last third grows less than 10% and every sample stays below the bound. */
export function verdict(samples: Sample[], boundMB: number): { bounded: boolean; text: string } {
  const rss = samples.map((s) => s.extHostMB).filter((v) => Number.isFinite(v));
  const last = rss.slice(Math.floor((rss.length * 2) / 3));
  const growth = last.length > 1 ? (Math.max(...last) - last[0]!) / last[0]! : 0;
  const peak = Math.max(...rss);
  const bounded = last.length > 1 && growth < 0.1 && peak < boundMB;
  const text = `${bounded ? 'bounded' : 'NOT bounded'}: extension host RSS grows ${(growth * 100).toFixed(1)}% over the last third of the run `
    + `(limit 10%), peak ${peak.toFixed(0)} MB (limit ${boundMB} MB)`;
  return { bounded, text };
}

function report(o: Options, samples: Sample[], opens: string, started: Date): string {
  const v = verdict(samples, o.boundMB);
  const rows = samples.map((s) => `| ${s.t.toFixed(0)} | ${s.eventsShown} | ${s.extHostMB.toFixed(0)} | ${s.agentMB.toFixed(0)} (${s.agents}) |`);
  return [
    `## Extension host memory, real VS Code (code-server), ${o.seconds} s at ${o.rate} opens/s`,
    '',
    `Run ${started.toISOString()}: test/fixtures/bench/open-loop.js traced with "Runtime Lens: Trace Command…" (default events), `
      + `Events view open; ${opens}. Events received as the status bar shows them; RSS from /proc of the extension host `
      + '(the parent of the runtime-lens agent) and of all its runtime-lens agent processes together.',
    '',
    '| time (s) | events received | ext host RSS (MB) | agent RSS (MB) (processes) |',
    '|---:|---:|---:|---:|',
    ...rows,
    '',
    `Verdict: ${v.text}.`,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  let o: Options | null;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    log((err as Error).message);
    return 2;
  }
  if (!o) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (process.getuid?.() !== 0) {
    log('must run as root: the traced workload is followed with eBPF');
    return 2;
  }
  const opts = o;
  rmSync(WORKSPACE, { recursive: true, force: true });
  mkdirSync(WORKSPACE, { recursive: true });
  copyFileSync(path.join(FIXTURES, 'bench', 'open-loop.js'), path.join(WORKSPACE, 'open-loop.js'));
  const sessions = path.join(OUTPUT, 'sessions');
  rmSync(sessions, { recursive: true, force: true });
  mkdirSync(sessions, { recursive: true });

  const [vsix, launcher] = await Promise.all([(log('packaging the extension (scripts/package.sh) unless LENS_E2E_VSIX is set'), vsixUnderTest(OUTPUT)), ensureCodeServer()]);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench | undefined;
  try {
    server = await CodeServer.start({
      launcher, stateDir: path.join(OUTPUT, 'code-server'), workspace: WORKSPACE, extensions: [vsix],
      settings: { 'runtimeLens.sessionsDirectory': sessions },
    });
    browser = await launchChromium();
    wb = await Workbench.open(browser, server.url, OUTPUT);
    log(`code-server at ${server.url}`);

    const command = `node open-loop.js ${opts.seconds} ${opts.rate}`;
    await wb.runCommand('Runtime Lens: Trace Command…');
    await wb.submitInput(command);
    const started = new Date();
    const t0 = Date.now();
    const userDataDir = server.userDataDir;
    const { extHost, agents } = await waitFor('the runtime-lens agent, child of the extension host', () => findExtensionHost(userDataDir), 30000);
    log(`extension host pid ${extHost} (${cmdline(extHost).slice(0, 120)}), agent pid(s) ${agents.join(', ')}`);
    await wb.waitForActiveTab('Runtime Lens: Events');
    await wb.webview().locator('#events-table').waitFor({ timeout: 30000 });

    const status = wb.page.locator('.part.statusbar .statusbar-item').filter({ hasText: / events · lost / }).first();
    const samples: Sample[] = [];
    const sample = async () => {
      const t = (Date.now() - t0) / 1000;
      const text = (await status.innerText({ timeout: 10000 }).catch(() => '')).replace(/\s+/g, ' ');
      const shown = / ([\d.]+[kM]?) events · lost/.exec(text)?.[1] ?? '?';
      // Agents are looked up again each time: the extension host may start more than one.
      const now = findExtensionHost(userDataDir)?.agents ?? [];
      const agentMB = now.reduce((sum, pid) => sum + (rssMB(pid) || 0), 0);
      const s: Sample = { t, eventsShown: shown, events: parseShort(shown), extHostMB: rssMB(extHost), agentMB, agents: now.length };
      samples.push(s);
      log(`t=${t.toFixed(0)} s  events ${shown}  ext host ${s.extHostMB.toFixed(0)} MB  agents (${s.agents}) ${s.agentMB.toFixed(0)} MB  (${text.trim()})`);
    };
    // Samples on a fixed schedule from the start of the trace, up to the end of the workload; each
    // sample carries the time it was actually taken (reading the status bar can lag behind the schedule).
    for (let k = 0; k * opts.interval <= opts.seconds; k++) {
      const due = t0 + k * opts.interval * 1000;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      await sample();
    }
    // The workload has ended: wait until the session says so, then one more sample.
    await wb.page.locator('.part.statusbar .statusbar-item').filter({ hasText: / events · lost / }).filter({ hasNotText: /ev\/s/ }).first()
      .waitFor({ timeout: 60000 })
      .catch(() => log('the session still shows a rate 60 s after the workload should have ended'));
    await sample();

    const md = report(opts, samples, `${(opts.seconds * opts.rate).toLocaleString('en-US')} opens expected`, started);
    const out = path.resolve(REPO_ROOT, opts.out);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, md);
    process.stdout.write(md);
    log(`report written to ${out}`);
    return verdict(samples, opts.boundMB).bounded ? 0 : 1;
  } finally {
    await wb?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.close();
  }
}

main().then((code) => process.exit(code), (err: Error) => {
  log(`failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
