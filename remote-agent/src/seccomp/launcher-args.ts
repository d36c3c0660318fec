/*
 * An OCI seccomp profile read from its file and turned into lens-seccomp's
 * arguments (remote-agent/native/seccomp): the default action, the
 * architectures and one rule per action, as an OCI runtime applies them.
 */
import { SECCOMP_ACTIONS, type SeccompAction } from './oci-profile';

/** A profile this product cannot apply faithfully, or one that is not an OCI profile: says which field and why. */
export class SeccompProfileError extends Error {}

/** libseccomp's architecture names for the OCI ones. */
const ARCH_NAMES: Record<string, string> = {
  SCMP_ARCH_X86: 'x86', SCMP_ARCH_X86_64: 'x86_64', SCMP_ARCH_X32: 'x32', SCMP_ARCH_ARM: 'arm', SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_MIPS: 'mips', SCMP_ARCH_MIPS64: 'mips64', SCMP_ARCH_MIPS64N32: 'mips64n32', SCMP_ARCH_MIPSEL: 'mipsel',
  SCMP_ARCH_MIPSEL64: 'mipsel64', SCMP_ARCH_MIPSEL64N32: 'mipsel64n32', SCMP_ARCH_PPC: 'ppc', SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64le', SCMP_ARCH_S390: 's390', SCMP_ARCH_S390X: 's390x', SCMP_ARCH_RISCV64: 'riscv64',
};

function launcherAction(action: unknown, errnoRet: unknown, where: string): string {
  if (!(SECCOMP_ACTIONS as readonly unknown[]).includes(action)) {
    throw new SeccompProfileError(`${where}: action ${JSON.stringify(action)} is not one of ${SECCOMP_ACTIONS.join(', ')}`);
  }
  switch (action as SeccompAction) {
    case 'SCMP_ACT_ALLOW': return 'allow';
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD': return 'kill-thread';
    case 'SCMP_ACT_KILL_PROCESS': return 'kill-process';
    case 'SCMP_ACT_TRAP': return 'trap';
    case 'SCMP_ACT_LOG': return 'log';
    case 'SCMP_ACT_ERRNO': {
      const n = errnoRet ?? 1; // the OCI runtime spec's default: EPERM
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 4095) throw new SeccompProfileError(`${where}: errnoRet ${JSON.stringify(errnoRet)} must be an errno number from 0 to 4095`);
      return `errno:${n}`;
    }
  }
}

/**
 * lens-seccomp's arguments (before `--`) for the profile in `text` (read from `file`, named in errors).
 * Rules with argument conditions (`args`) or other selectors (`includes`, `excludes`) are refused,
 * since running without them would not be running under that profile.
 */
export function launcherArgs(text: string, file: string): string[] {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch (e) {
    throw new SeccompProfileError(`${file} is not JSON: ${(e as Error).message}`);
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new SeccompProfileError(`${file}: expected an OCI seccomp profile (an object with defaultAction, architectures and syscalls)`);
  const o = p as Record<string, unknown>;
  const out = ['--default', launcherAction(o.defaultAction, o.defaultErrnoRet, `${file}: defaultAction`)];
  const archs = o.architectures ?? [];
  if (!Array.isArray(archs)) throw new SeccompProfileError(`${file}: architectures must be a list such as ["SCMP_ARCH_X86_64"]`);
  for (const a of archs) {
    const name = typeof a === 'string' ? ARCH_NAMES[a] : undefined;
    if (!name) throw new SeccompProfileError(`${file}: architecture ${JSON.stringify(a)} is not one of ${Object.keys(ARCH_NAMES).join(', ')}`);
    out.push('--arch', name);
  }
  const rules = o.syscalls ?? [];
  if (!Array.isArray(rules)) throw new SeccompProfileError(`${file}: syscalls must be a list of {names, action} rules`);
  rules.forEach((r: unknown, i) => {
    const where = `${file}: syscalls[${i}]`;
    if (typeof r !== 'object' || r === null) throw new SeccompProfileError(`${where} must be an object with names and action`);
    const rule = r as Record<string, unknown>;
    for (const field of ['args', 'includes', 'excludes'] as const) {
      const v = rule[field];
      if (v !== undefined && !(Array.isArray(v) && v.length === 0) && !(field !== 'args' && typeof v === 'object' && v !== null && Object.keys(v).length === 0)) {
        throw new SeccompProfileError(`${where} has ${field}, which runtime-lens seccomp run does not apply; run this profile with an OCI runtime (runc, crun, podman)`);
      }
    }
    const names = rule.names ?? (typeof rule.name === 'string' ? [rule.name] : undefined);
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || !/^[a-z0-9_]+$/.test(n))) {
      throw new SeccompProfileError(`${where}: names must be a list of syscall names such as ["read", "write"]`);
    }
    if (names.length) out.push('--rule', `${launcherAction(rule.action, rule.errnoRet, where)}=${names.join(',')}`);
  });
  return out;
}
