/*
 * The error every session failure is reported with: an RPC error code from
 * protocol.ts ErrorCodes, a message saying what went wrong, and the fixes.
 */
import { ErrorCodes } from '../protocol';
import { ProbeErrorCode } from '../decode/layout';
import { privilegeFixes } from '../probe/privileges';

/** A failure to start or run a trace, with what to do about it. */
export class SessionError extends Error {
  constructor(readonly code: number, message: string, readonly fixes: string[] = []) {
    super(message);
    this.name = 'SessionError';
  }
}


/** Maps a probe ERROR packet code to an RPC error code. */
export function errorCodeForProbe(code: number): number {
  switch (code) {
    case ProbeErrorCode.PRIVILEGE: case ProbeErrorCode.FORBIDDEN: return ErrorCodes.PermissionDenied;
    case ProbeErrorCode.NO_BTF: case ProbeErrorCode.TRACEFS: return ErrorCodes.KernelUnsupported;
    case ProbeErrorCode.NO_SUCH_PID: return ErrorCodes.NoSuchProcess;
    case ProbeErrorCode.EXEC: return ErrorCodes.CommandNotFound;
    case ProbeErrorCode.USAGE: return ErrorCodes.InvalidParams;
    default: return ErrorCodes.ProbeFailed;
  }
}

/** Fix suggestions for a probe ERROR packet code. */
export function fixesForProbe(code: number, probePath: string): string[] {
  switch (code) {
    case ProbeErrorCode.PRIVILEGE: return privilegeFixes(probePath);
    case ProbeErrorCode.TRACEFS: return ['sudo mount -t tracefs tracefs /sys/kernel/tracing'];
    case ProbeErrorCode.NO_BTF: return ['use a kernel built with CONFIG_DEBUG_INFO_BTF=y (/sys/kernel/btf/vmlinux must exist)'];
    case ProbeErrorCode.NO_SUCH_PID: return ['pick a running process (`ps -e` lists them)'];
    case ProbeErrorCode.FORBIDDEN: return ['trace a process of your own user, or run as root (sudo)'];
    default: return ['run `runtime-lens doctor` to see what this kernel and user can do'];
  }
}
