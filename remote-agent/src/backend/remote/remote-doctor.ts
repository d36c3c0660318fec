/*
 * doctor for a remote host: the same kernel and hook checks as a local one
 * (doctor-checks.ts), fed with what the survey and the deployed probe's
 * --check-hooks found there, after the checks of the link itself.
 */
import type { DoctorCheck } from '../../protocol';
import { runDoctor, type DoctorEnv } from '../linux/doctor-checks';
import type { HostInfo } from '../../protocol';
import type { HostSurvey } from './survey';

/** The checks of a connected host. */
export function remoteDoctor(host: HostInfo, survey: HostSurvey, hookCheck: string | undefined): DoctorCheck[] {
  const probe = `${host.deployDir}/lens-probe`;
  const env: DoctorEnv = {
    kernel: survey.kernel,
    exists: (p) => survey.existing.has(p),
    read: (p) => (p === '/proc/mounts' ? survey.mounts : undefined),
    bpftoolFeatures: () => undefined,
    // the probe's privileges were established when connecting (root, sudo -n, or file capabilities)
    getcap: () => (host.privilege === 'capabilities' ? `${probe} cap_bpf,cap_perfmon,cap_dac_read_search=ep` : undefined),
    probePath: () => ({ path: probe }),
    euid: host.privilege === 'capabilities' ? survey.uid : 0,
    hookCheck: hookCheck === undefined ? undefined : () => hookCheck,
  };
  return [
    { name: 'ssh', ok: true, detail: `connected to ${host.target} as ${survey.user} (${host.os}, ${host.arch})` },
    { name: 'deployment', ok: true, detail: `${host.deployDir} (${host.deployed}; checked by sha256 before every run; no Node.js needed there)` },
    { name: 'host privileges', ok: true, detail: host.privilege === 'root' ? 'logged in as root' : host.privilege === 'sudo' ? 'sudo -n (no password)' : 'lens-probe has file capabilities' },
    // the fixes are to be run there
    ...runDoctor(env).filter((c) => c.name !== 'user capabilities').map((c) => (c.fix ? { ...c, fix: `on ${host.target} run: ${c.fix}` } : c)),
  ];
}
