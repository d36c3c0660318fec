/*
 * `runtime-lens baseline record [-o FILE] [trace options] -- COMMAND`: traces
 * the command (its syscalls counted too) and writes its behaviour profile,
 * the baseline `trace --baseline FILE` reports drift against.
 */
import { writeFileSync } from 'node:fs';
import { eventSink } from '../pipeline/event-sink';
import { outputOption } from '../seccomp/seccomp-command';
import { traceCommand, UsageError } from '../trace/trace-command';
import { ProfileBuilder, profileText } from './profile';

export const BASELINE_USAGE = 'usage: runtime-lens baseline record [-o FILE] [trace options] -- COMMAND [ARGS...]';

/** The default file `baseline record` writes. */
export const DEFAULT_BASELINE_FILE = 'runtime-lens.baseline.json';

async function record(argv: readonly string[]): Promise<number> {
  const { output, rest } = outputOption(argv, DEFAULT_BASELINE_FILE);
  const builder = new ProfileBuilder();
  let command: string[] | undefined;
  let wrote = false;
  const status = await traceCommand(rest, {
    args: (a) => {
      command = a.command;
      return { ...a, events: a.events.includes('syscount') ? a.events : [...a.events, 'syscount'] };
    },
    sinks: [eventSink((events) => builder.add(events))],
    quiet: true,
    ended: ({ summary, arch, result }) => {
      if (result.state === 'failed') {
        process.stderr.write(`runtime-lens: the trace failed (${result.message ?? 'no reason given'}); no baseline written\n`);
        return;
      }
      builder.addSyscalls(summary.map((r) => r.name));
      const p = builder.profile({ recorded: new Date(), command, arch });
      writeFileSync(output, profileText(p));
      wrote = true;
      process.stderr.write(`runtime-lens: baseline written to ${output}: ${p.executables.length} executables, ${p.files.length} file groups, ${p.endpoints.length} endpoints, ${p.syscalls?.length ?? 0} syscalls\n`);
      if (result.lostTotal > 0) process.stderr.write(`runtime-lens: warning: ${result.lostTotal} events were lost, so the baseline may lack what they showed; record it again with a larger --ringbuf-bytes\n`);
    },
  });
  return wrote ? status : status || 1;
}

/** `runtime-lens baseline …`: returns the exit status. */
export function baselineCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'record') return record(rest);
  throw new UsageError(`baseline: unknown subcommand '${sub ?? ''}'\n${BASELINE_USAGE}`);
}
