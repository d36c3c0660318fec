/*
 * What to do about a probe ERROR packet on Linux.
 */
import { ProbeErrorCode } from '../../decode/layout';
import type { Fix } from '../../protocol';
import { Fixes } from '../../trace/errors';
import { privilegeFixes } from './privileges';

/** Fix suggestions for a probe ERROR packet code. */
export function fixesForProbe(code: number, probePath: string): Fix[] {
  switch (code) {
    case ProbeErrorCode.PRIVILEGE: return privilegeFixes(probePath);
    case ProbeErrorCode.TRACEFS: return [Fixes.mount('tracefs', '/sys/kernel/tracing')];
    case ProbeErrorCode.NO_BTF: return [Fixes.advice('use a kernel built with CONFIG_DEBUG_INFO_BTF=y (/sys/kernel/btf/vmlinux must exist)')];
    case ProbeErrorCode.NO_SUCH_PID: return [Fixes.advice('pick a running process (`ps -e` lists them)')];
    case ProbeErrorCode.FORBIDDEN: return [Fixes.advice('trace a process of your own user, or run as root (sudo)')];
    default: return [Fixes.advice('run `runtime-lens doctor` to see what this kernel and user can do')];
  }
}
