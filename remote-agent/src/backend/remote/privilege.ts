/*
 * How the probe gets its privileges on the host: the login is root, or
 * `sudo -n` works (never a password: -n fails instead of asking), or the
 * deployed probe carries file capabilities (its --check-hooks loads a
 * program). Otherwise the error says the exact command to run once there.
 */
import type { HostInfo } from '../../protocol';
import { ErrorCodes } from '../../protocol';
import { PROBE_CAPABILITIES } from '../linux/privileges';
import { Fixes, SessionError } from '../../trace/errors';
import { parseHookCheck } from '../linux/doctor-checks';
import { sq } from './shell';
import type { SshLink } from './ssh';
import type { HostSurvey } from './survey';

export type Privilege = HostInfo['privilege'];

/** The privilege mode, or a SessionError (HostNoPrivilege) with the commands that grant one. */
export async function hostPrivilege(link: SshLink, survey: HostSurvey, probePath: string): Promise<{ privilege: Privilege; hookCheck?: string }> {
  if (survey.uid === 0) return { privilege: 'root' };
  if (survey.sudo) return { privilege: 'sudo' };
  const r = await link.exec(`${sq(probePath)} --check-hooks`);
  const hookCheck = r.stdout.toString('latin1');
  if (parseHookCheck(hookCheck).get('load')?.ok) return { privilege: 'capabilities', hookCheck };
  const t = link.target.text;
  // the probe's own words (its stderr), e.g. a tracefs it may not mount without root
  const said = r.stderr.split('\n').map((l) => l.replace(/^lens-probe:\s*/, '').trim()).filter(Boolean).join('; ');
  const tracefs = /tracefs is not mounted/.test(said) ? [Fixes.hostCommand(t, 'mount -t tracefs tracefs /sys/kernel/tracing')] : [];
  throw new SessionError(ErrorCodes.HostNoPrivilege,
    `on ${t} the probe cannot load eBPF programs: ${survey.user} (uid ${survey.uid}) is not root, \`sudo -n\` needs a password or is not allowed, `
    + `and ${probePath} could not load them with its file capabilities${said ? ` (${said})` : ''}`, [
      ...tracefs,
      Fixes.hostCommand(t, `setcap ${PROBE_CAPABILITIES.join(',')}+ep ${sq(probePath)}`),
      Fixes.advice(`or give ${survey.user} passwordless sudo on ${t} (sudo -n must work)`),
      Fixes.advice(`or connect as root (root@${link.target.host})`),
    ]);
}

/** The prefix that runs a command with the probe's privileges. */
export function privileged(privilege: Privilege): string {
  return privilege === 'sudo' ? 'sudo -n ' : '';
}
