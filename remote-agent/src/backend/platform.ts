/*
 * The one place that asks which OS the agent runs on: the backend for it,
 * or why there is none.
 */
import { ErrorCodes, type AgentCapabilities } from '../protocol';
import { Fixes } from '../trace/errors';
import type { Backend } from './backend';
import { linuxBackend } from './linux';
import { windowsBackend } from './windows';

/** This host's backend; a platform without one gets { problem } saying so. */
export function platformBackend(platform: string = process.platform): Backend | { problem: NonNullable<AgentCapabilities['problem']> } {
  if (platform === 'linux') return linuxBackend();
  if (platform === 'win32') return windowsBackend();
  return {
    problem: {
      code: ErrorCodes.KernelUnsupported, message: `this agent traces Linux and Windows with eBPF; this host is ${platform}`,
      fixes: [Fixes.advice('run the agent on a Linux or Windows host (Linux also over ssh)')],
    },
  };
}
