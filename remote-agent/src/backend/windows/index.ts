/*
 * The Windows backend: eBPF for Windows programs loaded with netsh,
 * lens-probe.exe reading their ring buffer, Win32_Process for host facts,
 * service and elevation checks for doctor. Process and network events only:
 * no file, DNS or syscall events and no stacks on Windows.
 */
import path from 'node:path';
import { ErrorCodes } from '../../protocol';
import { Fixes, SessionError } from '../../trace/errors';
import type { Backend } from '../backend';
import { runWindowsDoctor } from './doctor-checks';
import { windowsHostFacts } from './host-facts';
import { locateWindowsProbe } from './locate-probe';
import { startWindowsProbe } from './probe-process';

export interface WindowsBackendOptions {
  /** runs lens-probe.exe through this program (wine64 when tests run it on Linux) */
  runner?: string;
  /** the programs are loaded already (netsh not run) */
  preloaded?: boolean;
  /** host facts snapshot source (Win32_Process as JSON) */
  snapshot?: () => string;
}

export function windowsBackend(opts: WindowsBackendOptions = {}): Backend {
  const locate = () => {
    try { return { path: locateWindowsProbe().reader }; } catch (e) {
      return { error: (e as Error).message, fixes: [Fixes.advice('make -C bpf/windows'), Fixes.advice('or set LENS_PROBE=C:\\path\\to\\lens-probe.exe')] };
    }
  };
  return {
    platform: 'win32',
    host: windowsHostFacts(opts.snapshot),
    doctor: () => runWindowsDoctor(locate()),
    probe: {
      locate,
      // elevation is checked when netsh loads the programs: its "access denied" becomes the error with the fix
      privilegeProblem: () => null,
      checkTarget: (target) => {
        if ('pid' in target) return {};
        if (!target.command.length) throw new SessionError(ErrorCodes.InvalidParams, 'no command to launch');
        return { execPath: target.command[0] };
      },
      start: (probePath, options, listener) => {
        const objects = opts.preloaded ? [] : locateWindowsProbe({ LENS_PROBE: probePath }, path.dirname(probePath)).objects;
        return startWindowsProbe(probePath, options, { objects, runner: opts.runner }, listener);
      },
      fixesForError: () => [Fixes.advice('run VS Code as Administrator, and check `sc query ebpfcore` and `sc query ntosebpfext`')],
    },
  };
}
