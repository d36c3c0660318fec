/*
 * Starts the session a command-line trace asks for: the platform backend,
 * the target checked first (a typo in the command is the likelier mistake),
 * the probe located, then the session. Shared by `trace`, `baseline record`
 * and `seccomp record`.
 */
import { ErrorCodes } from '../protocol';
import { platformBackend } from '../backend/platform';
import type { Backend } from '../backend/backend';
import { STACK_DEFAULT } from '../decode/layout';
import type { SinkFactory, StageFactory } from '../pipeline/stage';
import type { CompiledRule } from '../rules/compile';
import { SessionError } from './errors';
import { TraceSession, type SessionHandlers } from './session';
import type { TraceArgs } from './trace-command';

/**
 * Starts tracing `args`' target into `sinks` (on `host`, a connected remote host's backend, else this
 * machine's); rejects with a SessionError that says what to fix.
 */
export async function startTrace(args: TraceArgs, sinks: readonly SinkFactory[], on: SessionHandlers, rules?: readonly CompiledRule[], extraStages?: readonly StageFactory[],
  host?: Backend): Promise<TraceSession> {
  const backend = host ?? platformBackend();
  if ('problem' in backend) throw new SessionError(backend.problem.code, backend.problem.message, backend.problem.fixes);
  const target = args.pid !== undefined ? { kind: 'attach' as const, pid: args.pid } : { kind: 'launch' as const, command: args.command!, stdio: 'inherit' as const };
  backend.probe.checkTarget(target, process.env);
  const probe = backend.probe.locate();
  if ('error' in probe) throw new SessionError(ErrorCodes.ProbeFailed, probe.error);
  return TraceSession.start({
    backend, target,
    events: args.events, syscalls: args.syscalls, ringbufBytes: args.ringbufBytes, redact: args.redact, probePath: probe.path,
    stackBytes: args.stacks ? args.stackBytes ?? STACK_DEFAULT : undefined,
    // NDJSON owns stdout: the traced program's stdout goes to stderr so every stdout line parses.
    inheritFds: [0, args.json ? 2 : 1, 2], sinks, rules, extraStages,
  }, on);
}
