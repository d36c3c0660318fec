/*
 * `runtime-lens doctor [--json]`: prints the checks, one per line, with the fix
 * under each failing one. Exit status 1 when something Runtime Lens needs is missing.
 */
import { UsageError } from '../trace/trace-command';
import { platformBackend } from '../backend/platform';
import { fixesText } from '../trace/errors';
import type { DoctorCheck } from '../protocol';

/** Runs the checks and prints them; returns the exit status. */
export async function doctorCommand(args: string[]): Promise<number> {
  const bad = args.filter((a) => a !== '--json');
  if (bad.length) throw new UsageError(`doctor: unknown option '${bad[0]}' (only --json)`);
  const backend = platformBackend();
  const checks: DoctorCheck[] = 'problem' in backend
    ? [{ name: 'platform', ok: false, detail: backend.problem.message, fix: fixesText(backend.problem.fixes) }]
    : backend.doctor();
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
