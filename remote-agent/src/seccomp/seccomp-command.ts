/*
 * `runtime-lens seccomp record` writes the OCI seccomp profile of a command's
 * run (the syscalls it used, counted in the kernel); `runtime-lens seccomp run`
 * runs a command under such a profile with lens-seccomp (libseccomp).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { traceCommand, UsageError } from '../trace/trace-command';
import { launcherArgs } from './launcher-args';
import { locateSeccompLauncher } from './locate-launcher';
import { seccompProfile, seccompProfileText } from './oci-profile';
import { usedSyscalls } from './used-syscalls';

export const SECCOMP_USAGE = `usage: runtime-lens seccomp record [-o FILE] [trace options] -- COMMAND [ARGS...]
usage: runtime-lens seccomp run PROFILE -- COMMAND [ARGS...]`;

/** The default file `seccomp record` writes. */
export const DEFAULT_PROFILE_FILE = 'seccomp.json';

/** Splits `-o FILE` / `--output FILE` off the arguments before `--`. */
export function outputOption(argv: readonly string[], fallback: string): { output: string; rest: string[] } {
  const rest: string[] = [];
  let output = fallback;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { rest.push(...argv.slice(i)); break; }
    if (a === '-o' || a === '--output') {
      const v = argv[++i];
      if (!v || v === '--') throw new UsageError(`${a} needs a file name`);
      output = v;
    } else if (a.startsWith('--output=')) {
      output = a.slice('--output='.length);
    } else {
      rest.push(a);
    }
  }
  return { output, rest };
}

async function record(argv: readonly string[]): Promise<number> {
  const { output, rest } = outputOption(argv, DEFAULT_PROFILE_FILE);
  let wrote = false;
  const status = await traceCommand(rest, {
    args: (a) => ({ ...a, events: a.events.includes('syscount') ? a.events : [...a.events, 'syscount'] }),
    quiet: true,
    ended: ({ summary, arch, result }) => {
      const used = usedSyscalls(summary);
      if (!arch || used.names.length === 0) {
        process.stderr.write(`runtime-lens: no syscalls were counted (${result.state}${result.message ? ': ' + result.message : ''}); no profile written\n`);
        return;
      }
      const { profile, unnamed } = seccompProfile(used.names, arch);
      writeFileSync(output, seccompProfileText(profile));
      wrote = true;
      const notes = [
        used.added.length ? `${used.added.join(' and ')} added (they never return, so they are not counted)` : '',
        unnamed.length ? `left out, having no name on ${arch}: ${unnamed.join(', ')}` : '',
      ].filter(Boolean);
      process.stderr.write(`runtime-lens: seccomp profile allowing ${profile.syscalls[0].names.length} syscalls on ${arch} written to ${output}${notes.length ? ' (' + notes.join('; ') + ')' : ''}\n`);
      if (result.lostTotal > 0) process.stderr.write(`runtime-lens: warning: ${result.lostTotal} events were lost; the counts are kept in the kernel and are complete\n`);
    },
  });
  return wrote ? status : status || 1;
}

function run(argv: readonly string[]): Promise<number> | number {
  const sep = argv.indexOf('--');
  if (sep !== 1 || argv.length < 3) throw new UsageError('seccomp run: give the profile, then -- COMMAND [ARGS...]');
  const file = argv[0];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`seccomp run: cannot read ${file}: ${(e as Error).message}`);
  }
  const args = launcherArgs(text, file);
  const r = spawnSync(locateSeccompLauncher(), [...args, ...argv.slice(sep)], { stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.signal) return 128 + (constants.signals[r.signal] ?? 0);
  return r.status ?? 1;
}

/** `runtime-lens seccomp …`: returns the exit status. */
export function seccompCommand(argv: readonly string[]): Promise<number> | number {
  const [sub, ...rest] = argv;
  if (sub === 'record') return record(rest);
  if (sub === 'run') return run(rest);
  throw new UsageError(`seccomp: unknown subcommand '${sub ?? ''}'\n${SECCOMP_USAGE}`);
}
