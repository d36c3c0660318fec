/*
 * The error every session failure is reported with: an RPC error code from
 * protocol.ts ErrorCodes, a message saying what went wrong, and the fixes,
 * made by the named factories of `Fixes` so a client can act on them.
 */
import { ErrorCodes, type Fix } from '../protocol';
import { ProbeErrorCode } from '../decode/layout';

/** `path` as one shell word. */
export function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** The fixes an error can carry, each machine-readable (protocol.ts Fix) with its one line for people. */
export const Fixes = {
  /** give the probe at `probe` its file capabilities (run as root) */
  setcap(probe: string, capabilities: readonly string[]): Fix {
    const command = `setcap ${capabilities.join(',')}+ep ${shellWord(probe)}`;
    return { kind: 'setcap', text: `sudo ${command}`, command, probe, capabilities: [...capabilities] };
  },
  /** run the agent as root */
  sudo(): Fix {
    return { kind: 'sudo', text: 'or run the agent as root (sudo)' };
  },
  /** mount the filesystem `fsType` at `target` (run as root) */
  mount(fsType: string, target: string): Fix {
    const command = `mount -t ${fsType} ${fsType} ${shellWord(target)}`;
    return { kind: 'mount', text: `sudo ${command}`, command, fsType, target };
  },
  /** a step only the user can take */
  advice(text: string): Fix {
    return { kind: 'advice', text };
  },
  /** run `command` as root once on the remote host `host` */
  hostCommand(host: string, command: string): Fix {
    return { kind: 'hostCommand', text: `on ${host} run once: sudo ${command}`, host, command };
  },
};

/** The fixes as people read them, one per line or `;`-separated. */
export function fixesText(fixes: readonly Fix[], separator = '; '): string {
  return fixes.map((f) => f.text).join(separator);
}

/** A failure to start or run a trace, with what to do about it. */
export class SessionError extends Error {
  constructor(readonly code: number, message: string, readonly fixes: Fix[] = []) {
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
