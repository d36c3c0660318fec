/*
 * The Linux backend: lens-probe (eBPF) for events, /proc for host facts,
 * capability and kernel checks for doctor.
 */
import { ErrorCodes } from '../../protocol';
import { Fixes } from '../../trace/errors';
import type { Backend } from '../backend';
import { privilegeChecks, runDoctor } from './doctor-checks';
import { linuxHostFacts } from './host-facts';
import { locateProbe } from './locate-probe';
import { privilegeFixes } from './privileges';
import { fixesForProbe } from './probe-errors';
import { startProbe } from './probe-process';
import { checkTarget } from './target';

/** The backend of this Linux host. */
export function linuxBackend(): Backend {
  return {
    platform: 'linux',
    host: linuxHostFacts(),
    doctor: () => runDoctor(),
    probe: {
      locate: () => {
        try { return { path: locateProbe().path }; } catch (e) {
          return { error: (e as Error).message, fixes: [Fixes.advice('make -C bpf/linux'), Fixes.advice('or set LENS_PROBE=/path/to/lens-probe')] };
        }
      },
      privilegeProblem: (probePath) => {
        const failed = privilegeChecks().probeChecks.find((c) => c.name === 'probe privileges' && !c.ok);
        return failed ? { code: ErrorCodes.PermissionDenied, message: `lens-probe cannot get CAP_BPF/CAP_PERFMON: ${failed.detail}`, fixes: privilegeFixes(probePath) } : null;
      },
      checkTarget,
      start: (probePath, options, listener) => startProbe(probePath, options, checkTarget(options.target, process.env).execPath, listener),
      fixesForError: fixesForProbe,
    },
  };
}
