// A capability-granted copy of the probe, as the README's setcap makes it, for tests that run the
// CLI or the probe as user `nobody`: in a root-owned 0755 temp folder that nobody can execute from.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROBE_CAPABILITIES } from '../../remote-agent/src/backend/linux/privileges';
import { PROBE_BINARY } from './paths';

/** A probe copy with file capabilities; remove() deletes it and its folder. */
export interface CapProbe {
  dir: string;
  path: string;
  remove(): void;
}

/** Copies the built probe into a new root-owned 0755 folder and gives it the README's capabilities. */
export function makeCapProbe(): CapProbe {
  const dir = mkdtempSync(path.join(tmpdir(), 'lens-capprobe-'));
  chmodSync(dir, 0o755);
  const probe = path.join(dir, 'lens-probe');
  copyFileSync(PROBE_BINARY, probe);
  chmodSync(probe, 0o755);
  execFileSync('setcap', [`${PROBE_CAPABILITIES.join(',')}+ep`, probe]);
  return { dir, path: probe, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** argv prefix running a command as nobody:nogroup without supplementary groups. */
export const AS_NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'];

/** What one direct run of the probe printed. */
export interface ProbeRun { code: number | null; stdout: Buffer; stderr: string }

/** Runs the probe binary as nobody with `args` (stdin `input`, then EOF) to completion. */
export function runProbeAsNobody(probe: string, args: string[], input = ''): Promise<ProbeRun> {
  const child = spawn(AS_NOBODY[0], [...AS_NOBODY.slice(1), probe, ...args], { cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr })));
}

/** A root shell loop keeping one core busy with short-lived processes until stop() is called. */
export function busyLoad(): { stop(): void } {
  const child = spawn('nice', ['-n', '19', '/bin/sh', '-c', 'while :; do ls /usr/share >/dev/null; done'], { stdio: 'ignore', detached: true });
  return { stop: () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } } };
}
