/*
 * `runtime-lens doctor [--json] [--host …]`: prints the checks (of this machine or of a remote host), one per line, with the fix
 * under each failing one. Exit status 1 when something Runtime Lens needs is missing.
 */
import { UsageError } from '../trace/trace-command';
import { platformBackend } from '../backend/platform';
import { fixesText, SessionError } from '../trace/errors';
import { takeHostArg, type HostArgs } from '../backend/remote/host-args';
import { RemoteHost } from '../backend/remote/remote-host';
import type { DoctorCheck } from '../protocol';

/** The checks of this machine, or of a remote host (a failed connection is its first, failing check). */
async function checksOf(host: HostArgs): Promise<DoctorCheck[]> {
  if (host.host) {
    const remote = new RemoteHost(host.host, host.sshOptions);
    try {
      await remote.connect({ watch: false });
      return await remote.backend.doctor();
    } catch (e) {
      if (!(e instanceof SessionError)) throw e;
      return [{ name: 'ssh', ok: false, detail: e.message, fix: fixesText(e.fixes) }];
    } finally {
      remote.detach();
    }
  }
  const backend = platformBackend();
  return 'problem' in backend
    ? [{ name: 'platform', ok: false, detail: backend.problem.message, fix: fixesText(backend.problem.fixes) }]
    : backend.doctor();
}

/** Runs the checks and prints them; returns the exit status. */
export async function doctorCommand(args: string[]): Promise<number> {
  const host: HostArgs = { sshOptions: [] };
  for (let i = 0; i < args.length; i++) {
    const used = takeHostArg(args, i, host, (m) => new UsageError(`doctor: ${m}`));
    if (used) i += used - 1;
    else if (args[i] !== '--json') throw new UsageError(`doctor: unknown option '${args[i]}' (only --json, --host [user@]host[:port], --ssh-option OPT)`);
  }
  const checks = await checksOf(host);
  if (args.includes('--json')) {
    process.stdout.write(JSON.stringify(checks, null, 2) + '\n');
  } else {
    const width = Math.max(...checks.map((c) => c.name.length));
    for (const c of checks) {
      process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}\n`);
      if (!c.ok && c.fix) process.stdout.write(`      ${''.padEnd(width)}  fix: ${c.fix}\n`);
    }
    const failed = checks.filter((c) => !c.ok);
    process.stdout.write(failed.length ? `\n${failed.length} problem(s): apply the fixes above.\n` : '\nEverything Runtime Lens needs is here.\n');
  }
  return checks.some((c) => !c.ok) ? 1 : 0;
}
