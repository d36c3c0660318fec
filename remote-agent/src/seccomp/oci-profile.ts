/*
 * OCI seccomp profiles (the `linux.seccomp` object of the OCI runtime spec,
 * the JSON Docker, Podman and Kubernetes take): made from the syscalls a
 * session used, and read back for `runtime-lens seccomp run`.
 */
import type { Arch } from '../syscalls/names';

/** The actions of the OCI runtime spec. */
export const SECCOMP_ACTIONS = ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP', 'SCMP_ACT_LOG'] as const;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];

export interface OciSyscallRule {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  /** argument conditions: not made here, refused by `seccomp run` */
  args?: unknown[];
  comment?: string;
}

/** An OCI seccomp profile (the subset this product writes and runs). */
export interface OciSeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: OciSyscallRule[];
}

/** The OCI architecture name of the syscall table a session used. */
export const OCI_ARCH: Record<Arch, string> = { x86_64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64' };

/** EPERM: what a syscall outside the profile returns (as Docker's default profile does). */
const EPERM = 1;

/**
 * The profile that allows exactly `syscalls` on `arch` and makes every other syscall fail with
 * EPERM. Names the table does not know (`syscall_<nr>`) cannot be written in a profile: they are
 * returned in `unnamed` for the caller to report.
 */
export function seccompProfile(syscalls: Iterable<string>, arch: Arch): { profile: OciSeccompProfile; unnamed: string[] } {
  const names = new Set<string>();
  const unnamed: string[] = [];
  for (const s of syscalls) {
    if (/^syscall_\d+$/.test(s)) unnamed.push(s);
    else names.add(s);
  }
  return {
    profile: {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: EPERM,
      architectures: [OCI_ARCH[arch]],
      syscalls: [{ names: [...names].sort(), action: 'SCMP_ACT_ALLOW' }],
    },
    unnamed: [...new Set(unnamed)].sort(),
  };
}

/** The profile as a file: indented JSON with a final newline. */
export function seccompProfileText(profile: OciSeccompProfile): string {
  return JSON.stringify(profile, null, 2) + '\n';
}
