/*
 * runtime-lens command line: trace, agent --stdio, doctor, --help, --version.
 */
import { DEFAULT_EVENT_GROUPS, EVENT_GROUPS, groupDescription } from './model/event-model';
import { TRACE_USAGE, traceCommand, UsageError } from './trace/trace-command';
import { AGENT_VERSION } from './version';
import { takeHostArg, type HostArgs } from './backend/remote/host-args';
import { STACK_DEFAULT, STACK_MAX, STACK_MIN } from './decode/layout';

const HELP = `runtime-lens ${AGENT_VERSION} — see what a program does at runtime (eBPF)

${TRACE_USAGE}
    Launches COMMAND (or attaches to PID) and traces it and all its descendants until it exits.
    --json            one event per line (NDJSON) on stdout; the traced program's stdout goes to stderr
    --events LIST     event groups, comma-separated (default ${DEFAULT_EVENT_GROUPS.join(',')}):
${EVENT_GROUPS.map((g) => `                        ${g.padEnd(9)} ${groupDescription(g)}`).join('\n')}
    --syscalls LIST   syscall names for the full syscall stream (implies --events ...,syscall)
    --ringbuf-bytes N kernel ring buffer size (power of two; default 32 MiB)
    --no-redact       print secrets in command lines as they are (redacted by default)
    --stacks          exec, file, net and dns events carry the stack that made the call (frames, source:
                      file:line, unwound from a copy of the user stack by lens-symbolize). Cost: ~8 KiB copied
                      per event in the kernel and one unwind per event in the agent; the syscall stream has none
    --stack-bytes N   user-stack bytes copied per event with --stacks (${STACK_MIN}..${STACK_MAX}, default ${STACK_DEFAULT})
    --rules FILE      also judge events by the rules of FILE (Falco YAML; repeat for more files); findings
                      are events of kind finding, after the event that triggered them
    --no-default-rules  without the developer ruleset (on by default; README "Security rules")
    --fail-on PRIORITY  exit with status 3 when a finding at or above PRIORITY occurred
                      (emergency, alert, critical, error, warning, notice, informational, debug)
    --sarif FILE      write the findings as SARIF 2.1.0 to FILE (source lines with --stacks)
    --baseline FILE   report what the run does that the behaviour profile FILE (baseline record) does not have,
                      as findings after the events that show it (new syscalls: on stderr at the end)
    Exit status: the traced command's (128+signal when it was killed); 3 with --fail-on as above;
    2 when a rules file has errors (each printed as FILE:LINE:COLUMN). Summary with lost=N on stderr.

    --host [user@]host[:port]  trace on that host over ssh (your ~/.ssh/config, keys, agent and jump hosts
                      apply; never a password prompt). The probe and its helpers are copied to
                      ~/.cache/runtime-lens-remote/VERSION there on first use (no Node.js needed there);
                      the probe runs as root, with sudo -n, or with its file capabilities
    --ssh-option OPT  passed to ssh as -o OPT (repeatable), e.g. --ssh-option ProxyJump=bastion

usage: runtime-lens agent --stdio [--host [user@]host[:port] [--ssh-option OPT]...]
    JSON-RPC 2.0 server on stdin/stdout (used by the VS Code extension), for this machine or a remote host.

usage: runtime-lens baseline record [-o FILE] [trace options] -- COMMAND [ARGS...]
    Traces COMMAND and writes its behaviour profile (default runtime-lens.baseline.json): executables with
    their arguments' shape, file accesses by directory, endpoints by host and port, the syscall set, and the
    packages seen doing each. \`trace --baseline FILE\` then reports what a run does that is not in it.

usage: runtime-lens seccomp record [-o FILE] [trace options] -- COMMAND [ARGS...]
    Traces COMMAND counting its syscalls in the kernel and writes an OCI seccomp profile (default seccomp.json)
    that allows exactly those syscalls on this architecture and makes every other one fail with EPERM.
usage: runtime-lens seccomp run PROFILE -- COMMAND [ARGS...]
    Runs COMMAND under an OCI seccomp profile (applied with libseccomp by lens-seccomp), to check it.

usage: runtime-lens doctor [--json] [--host [user@]host[:port] [--ssh-option OPT]...]
    What this kernel and user (or the remote host) can do (BTF, tracefs, capabilities, hooks) and the fix for each missing thing.

Environment: LENS_PROBE=/path/to/lens-probe overrides where the probe is found.
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP);
      return cmd === undefined ? 2 : 0;
    case '-V':
    case '--version':
      process.stdout.write(`${AGENT_VERSION}\n`);
      return 0;
    case 'trace':
      if (rest.includes('--help') && rest.indexOf('--help') < (rest.indexOf('--') + 1 || Infinity)) {
        process.stdout.write(HELP);
        return 0;
      }
      return traceCommand(rest);
    case 'agent': {
      const host: HostArgs = { sshOptions: [] };
      let stdio = false;
      for (let i = 0; i < rest.length; i++) {
        const used = takeHostArg(rest, i, host, (m) => new UsageError(`agent: ${m}`));
        if (used) i += used - 1;
        else if (rest[i] === '--stdio') stdio = true;
        else throw new UsageError(`agent: unknown option '${rest[i]}' (--stdio [--host [user@]host[:port] [--ssh-option OPT]...])`);
      }
      if (!stdio) throw new UsageError('agent: give --stdio (the only transport; nothing listens on a network port)');
      const { runStdioAgent } = await import('./rpc/stdio');
      return runStdioAgent(host);
    }
    case 'baseline': {
      const { baselineCommand } = await import('./baseline/baseline-command');
      return baselineCommand(rest);
    }
    case 'seccomp': {
      const { seccompCommand } = await import('./seccomp/seccomp-command');
      return seccompCommand(rest);
    }
    case 'doctor': {
      const { doctorCommand } = await import('./doctor/doctor-command');
      return doctorCommand(rest);
    }
    default:
      throw new UsageError(`unknown command '${cmd}'; commands: trace, baseline, seccomp, agent --stdio, doctor (see --help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`runtime-lens: ${e.message}\n${TRACE_USAGE}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`runtime-lens: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
