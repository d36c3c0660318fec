/*
 * A real VS Code for end-to-end tests: code-server (installed and cached by
 * scripts/codeserver.sh) with its own fresh user-data and extensions folders,
 * bound to 127.0.0.1 on a port the kernel picks.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync, createWriteStream, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/paths';
import { waitFor } from '../helpers/procs';

const execFileAsync = promisify(execFile);

const repoRoot = REPO_ROOT;

/** User settings that keep the workbench quiet and deterministic for a test. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'files.simpleDialog.enable': true,
  // no close animations: a quick input that is closing is inert, and a pick opened right after would land on it
  'workbench.reduceMotion': 'on',
};

/** Runs scripts/codeserver.sh (installs on first use, ~2 min) and returns the code-server launcher. */
export async function ensureCodeServer(): Promise<string> {
  const script = path.join(repoRoot, 'scripts', 'codeserver.sh');
  const { stdout } = await execFileAsync('bash', [script], { maxBuffer: 1 << 20 }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`scripts/codeserver.sh failed: ${err.stderr?.trim() || err.message}`);
  });
  const launcher = stdout.trim().split('\n').pop() ?? '';
  if (!existsSync(launcher)) throw new Error(`scripts/codeserver.sh printed '${launcher}', which does not exist`);
  return launcher;
}

/** The .vsix to install: LENS_E2E_VSIX when given, else one packaged now by scripts/package.sh into `outDir`. */
export async function vsixUnderTest(outDir: string): Promise<string> {
  const given = process.env.LENS_E2E_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`LENS_E2E_VSIX=${given} does not exist`);
    return given;
  }
  const out = path.join(outDir, 'runtime-lens.vsix');
  await execFileAsync('bash', [path.join(REPO_ROOT, 'scripts', 'package.sh'), '--out', out], { cwd: REPO_ROOT, maxBuffer: 1 << 24 })
    .catch((err: Error & { stderr?: string }) => {
      throw new Error(`scripts/package.sh failed: ${err.stderr?.trim().split('\n').slice(-15).join('\n') || err.message}`);
    });
  return out;
}

export interface CodeServerOptions {
  launcher: string;
  /** folder for this run's user data, extensions and log (wiped first) */
  stateDir: string;
  /** folder opened in the workbench */
  workspace: string;
  /** .vsix files installed before start */
  extensions?: string[];
  settings?: Record<string, unknown>;
  /** how long to wait for the server to listen (ms) */
  startTimeoutMs?: number;
  /** environment given to code-server (and so to its extension host and the agents), e.g. its own HOME */
  env?: Record<string, string>;
}

/** A running code-server; `close()` ends it and everything it started. */
export class CodeServer {
  private constructor(
    private readonly child: ChildProcess,
    /** http://127.0.0.1:PORT/?folder=... */
    readonly url: string,
    readonly logFile: string,
    readonly userDataDir: string,
  ) {}

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const { launcher, stateDir, workspace } = options;
    if (!existsSync(workspace)) throw new Error(`workspace folder ${workspace} does not exist`);
    rmSync(stateDir, { recursive: true, force: true });
    const userDataDir = path.join(stateDir, 'user-data');
    const extensionsDir = path.join(stateDir, 'extensions');
    mkdirSync(extensionsDir, { recursive: true });
    // The extension host of code-server is a remote one: settings with "machine"
    // scope are read from Machine/settings.json only, so both files get them.
    const settings = JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2);
    for (const scope of ['User', 'Machine']) {
      mkdirSync(path.join(userDataDir, scope), { recursive: true });
      writeFileSync(path.join(userDataDir, scope, 'settings.json'), settings);
    }
    const dirs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

    for (const vsix of options.extensions ?? []) {
      await execFileAsync(launcher, [...dirs, '--install-extension', vsix, '--force'], { maxBuffer: 1 << 22 })
        .catch((err: Error & { stderr?: string; stdout?: string }) => {
          throw new Error(`code-server could not install ${vsix}: ${(err.stderr || err.stdout || err.message).trim()}`);
        });
    }

    const logFile = path.join(stateDir, 'code-server.log');
    const log = createWriteStream(logFile);
    const child = spawn(launcher, [
      ...dirs, '--auth', 'none', '--bind-addr', '127.0.0.1:0',
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      workspace,
    ], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, VSCODE_PROXY_URI: '', ...options.env } });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });

    // code-server prints the address it bound: "HTTP server listening on http://127.0.0.1:PORT/"
    const origin = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => done(new Error(`code-server did not report its address within ${options.startTimeoutMs ?? 60000} ms; log: ${logFile}\n${seen.slice(-2000)}`)),
        options.startTimeoutMs ?? 60000);
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
        if (match) done(null, match[1]);
      };
      const onExit = (code: number | null, signal: string | null) =>
        done(new Error(`code-server exited (code ${code}, signal ${signal}) before listening; log: ${logFile}\n${seen.slice(-2000)}`));
      function done(err: Error | null, value?: string) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.off('exit', onExit);
        if (err) { kill(child); reject(err); } else resolve(value!);
      }
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', onExit);
    });
    return new CodeServer(child, `${origin}/?folder=${encodeURIComponent(workspace)}`, logFile, userDataDir);
  }

  /** The extension's output channel log ("<name>.log" under logs/), or undefined before it exists. */
  extensionLog(name: string): string | undefined {
    const logs = path.join(this.userDataDir, 'logs');
    if (!existsSync(logs)) return undefined;
    const found = readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(`-${name}.log`)).sort();
    return found.length ? path.join(logs, found[found.length - 1]) : undefined;
  }

  /**
   * Ends code-server with its extension hosts, agent and probe (the whole process
   * group) and waits until none of them is left.
   */
  async close(): Promise<void> {
    const pgid = this.child.pid!;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      kill(this.child, 'SIGTERM');
      const timer = setTimeout(() => kill(this.child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    const groupAlive = () => {
      try {
        process.kill(-pgid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      await waitFor('code-server\'s processes to exit', () => !groupAlive(), 5000);
    } catch {
      kill(this.child, 'SIGKILL');
      await waitFor('code-server\'s processes to exit after SIGKILL', () => !groupAlive(), 5000);
    }
  }
}

function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
}
