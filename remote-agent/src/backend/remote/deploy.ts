/*
 * Deploy on demand: the remote programs go to a per-version folder of the
 * remote user's cache (~/.cache/runtime-lens-remote/VERSION, 0700, a folder
 * that holds nothing else), copied only when missing or different, the
 * deployments of other versions removed. Before every
 * run the files are checked against the checksums of the agent's own copies
 * (verifyScript), so what runs — as root too — is what the agent shipped.
 */
import { REMOTE_PROGRAMS, type Artifact, type RemoteProgram } from './artifacts';
import { sq } from './shell';
import type { SshLink } from './ssh';
import type { HostSurvey } from './survey';

/** Exit status of a run whose files failed the check (the agent copies them again on the next connect). */
export const VERIFY_FAILED_STATUS = 97;

/** How the deployment was found. */
export type DeployOutcome = 'copied' | 'reused' | 'replaced';

/** Copies what the host lacks; resolves with what was done. */
export async function deploy(link: SshLink, survey: HostSurvey, artifacts: readonly Artifact[], progress: (m: string) => void): Promise<DeployOutcome> {
  const stale = artifacts.filter((a) => survey.deployed.get(a.name) !== a.sha256);
  const dir = survey.deployDir;
  for (const old of survey.otherVersions) {
    progress(`removing the deployment of another version (${old})`);
    await link.exec(`rm -rf -- ${sq(old)}`);
  }
  if (!stale.length) return survey.otherVersions.length ? 'replaced' : 'reused';
  const mb = (stale.reduce((n, a) => n + a.bytes.length, 0) / 1048576).toFixed(1);
  progress(`copying ${stale.map((a) => a.name).join(', ')} (${mb} MB) to ${dir}`);
  await Promise.all(stale.map(async (a) => {
    const part = `${dir}/.${a.name}.part`;
    const r = await link.exec(`umask 077 && mkdir -p ${sq(dir)} && chmod 700 ${sq(dir)} && cat > ${sq(part)} && chmod 700 ${sq(part)} && mv -f ${sq(part)} ${sq(`${dir}/${a.name}`)}`, a.bytes);
    if (r.code !== 0) throw new Error(`could not copy ${a.name} to ${link.target.text}:${dir}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }));
  const after = await link.exec(verifyScript(dir, artifacts, REMOTE_PROGRAMS) + ' && echo verified');
  if (!after.stdout.toString().includes('verified')) throw new Error(`the files copied to ${link.target.text}:${dir} do not match what was sent: ${after.stderr.trim()}`);
  return survey.deployed.size || survey.otherVersions.length ? 'replaced' : 'copied';
}

/** sh that exits VERIFY_FAILED_STATUS unless each of `names` in `dir` has the agent's checksum. */
export function verifyScript(dir: string, artifacts: readonly Artifact[], names: readonly RemoteProgram[]): string {
  const lines = names.map((n) => sq(`${artifacts.find((a) => a.name === n)!.sha256}  ${dir}/${n}`)).join(' ');
  return `printf '%s\\n' ${lines} | sha256sum -c --status - || { echo ${sq(`runtime-lens: the deployed files in ${dir} are not the ones this agent copied (changed on the host?); connect again to copy them anew`)} >&2; exit ${VERIFY_FAILED_STATUS}; }`;
}
