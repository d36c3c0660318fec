/*
 * One round trip that tells the agent what it needs to know about a host
 * before anything is copied or run there: architecture, kernel, system, user,
 * the cache folder, the checksums of what is already deployed, whether
 * `sudo -n` works, and the kernel files doctor looks at.
 */
import { REMOTE_PROGRAMS } from './artifacts';
import { sq } from './shell';
import type { SshLink } from './ssh';

/** Kernel paths whose existence doctor checks (doctor-checks.ts). */
export const SURVEYED_PATHS = [
  '/sys/kernel/btf/vmlinux', '/sys/kernel/tracing/events', '/sys/bus/event_source/devices/tracepoint',
  '/sys/bus/event_source/devices/uprobe', '/sys/bus/event_source/devices/kprobe',
] as const;

/** What the survey found. */
export interface HostSurvey {
  arch: string;
  kernel: string;
  os: string;
  uid: number;
  user: string;
  /** the per-version deployment folder */
  deployDir: string;
  /** sha256 of each program already in deployDir */
  deployed: Map<string, string>;
  /** other version folders beside deployDir (replaced by this deployment) */
  otherVersions: string[];
  /** `sudo -n true` succeeded */
  sudo: boolean;
  existing: Set<string>;
  mounts: string;
  /** uid -> user name (the host's /etc/passwd) */
  users: Map<number, string>;
}

function script(version: string): string {
  return [
    'echo "arch=$(uname -m)"', 'echo "kernel=$(uname -r)"', 'echo "uid=$(id -u)"', 'echo "user=$(id -un)"',
    '( . /etc/os-release 2>/dev/null; echo "os=${PRETTY_NAME:-$(uname -s)}" )',
    // a folder of its own: only deployments live there, so other versions' folders can be removed
    'base="${XDG_CACHE_HOME:-$HOME/.cache}/runtime-lens-remote"',
    `dir="$base/${version}"`, 'echo "dir=$dir"',
    `if [ -d "$dir" ]; then (cd "$dir" && sha256sum ${REMOTE_PROGRAMS.join(' ')} 2>/dev/null | sed 's/^/sum=/'); fi`,
    'for d in "$base"/*; do [ -f "$d/lens-remote" ] && [ "$d" != "$dir" ] && echo "other=$d"; done 2>/dev/null',
    '[ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && echo sudo=yes',
    ...SURVEYED_PATHS.map((p) => `[ -e ${sq(p)} ] && echo ${sq(`exists=${p}`)}`),
    'sed "s/^/mount=/" /proc/mounts', 'cut -d: -f1,3 /etc/passwd 2>/dev/null | sed "s/^/passwd=/"', 'true',
  ].join('\n');
}

/** Surveys the host (the link must be connected). */
export async function surveyHost(link: SshLink, version: string): Promise<HostSurvey> {
  const r = await link.exec(script(version));
  const out: HostSurvey = { arch: '', kernel: '', os: '', uid: -1, user: '', deployDir: '', deployed: new Map(), otherVersions: [], sudo: false, existing: new Set(), mounts: '', users: new Map() };
  for (const line of r.stdout.toString('utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq), value = line.slice(eq + 1);
    switch (key) {
      case 'arch': out.arch = value; break;
      case 'kernel': out.kernel = value; break;
      case 'os': out.os = value; break;
      case 'uid': out.uid = Number(value); break;
      case 'user': out.user = value; break;
      case 'dir': out.deployDir = value; break;
      case 'sum': { const m = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(value); if (m) out.deployed.set(m[2], m[1]); break; }
      case 'other': out.otherVersions.push(value); break;
      case 'sudo': out.sudo = true; break;
      case 'exists': out.existing.add(value); break;
      case 'mount': out.mounts += value + '\n'; break;
      case 'passwd': { const [name, uid] = value.split(':'); if (uid) out.users.set(Number(uid), name); break; }
    }
  }
  if (!out.arch || !out.deployDir.startsWith('/')) {
    throw new Error(`${link.target.text}: the host did not answer the survey as expected (is /bin/sh a POSIX shell there?): ${r.stderr.trim() || r.stdout.toString().slice(0, 200)}`);
  }
  return out;
}
