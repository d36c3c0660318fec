/*
 * lens-probe's command line for a session's options: event groups, syscall
 * numbers of this machine's table, ring buffer size, stats period, and the
 * target (--pid, or the command after --, resolved like execvp).
 */
import { machine } from 'node:os';
import { ErrorCodes } from '../../protocol';
import { archFromMachine, syscallTable } from '../../syscalls/names';
import { SessionError } from '../../trace/errors';
import type { ProbeOptions } from '../backend';

/** The probe's argv; `execPath` is the launched command resolved like execvp (the probe then does not search PATH). */
export function probeArgs(o: ProbeOptions, execPath: string | undefined): string[] {
  const args = ['--events', o.events.join(',')];
  if (o.syscalls && o.syscalls.length) {
    const arch = archFromMachine(machine());
    const table = syscallTable(arch);
    const nrs = o.syscalls.map((n) => {
      const nr = table.number(n);
      if (nr === undefined) throw new SessionError(ErrorCodes.InvalidParams, `unknown syscall '${n}' for ${arch}: use names like read,write,openat or numbers`);
      return nr;
    });
    args.push('--syscalls', nrs.join(','));
  }
  if (o.ringbufBytes !== undefined) args.push('--ringbuf-bytes', String(o.ringbufBytes));
  if (o.stackBytes !== undefined) args.push('--stacks', '--stack-bytes', String(o.stackBytes));
  if (o.pythonStacks) args.push('--python-stacks');
  args.push('--stats-ms', String(o.statsMs));
  const t = o.target;
  if ('pid' in t) args.push('--pid', String(t.pid));
  else {
    if (execPath) args.push('--exec-path', execPath);
    args.push('--', ...t.command);
  }
  return args;
}
