/*
 * The options every command that can act on a remote host takes:
 * --host [user@]host[:port] and --ssh-option OPT (each passed to ssh as -o OPT).
 */
import { parseHostTarget } from './target';

/** The host options of a command line. */
export interface HostArgs {
  host?: string;
  sshOptions: string[];
}

/**
 * Takes --host / --ssh-option (also as --flag=value) at argv[i] into `out`; returns how many
 * arguments it used (0: not a host option). Throws `usage(message)` for a bad or missing value.
 */
export function takeHostArg(argv: readonly string[], i: number, out: HostArgs, usage: (m: string) => Error): number {
  const a = argv[i];
  const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
  if (flag !== '--host' && flag !== '--ssh-option') return 0;
  const value = inline ?? argv[i + 1];
  if (value === undefined || value === '') throw usage(`${flag} needs a value`);
  if (flag === '--host') {
    try { parseHostTarget(value); } catch (e) { throw usage((e as Error).message); }
    out.host = value;
  } else {
    if (!/^[A-Za-z][A-Za-z0-9]*[= ]/.test(value)) throw usage(`--ssh-option '${value}' is not an ssh option (Key=Value, as ssh -o takes it, e.g. ProxyJump=bastion)`);
    out.sshOptions.push(value);
  }
  return inline === undefined ? 2 : 1;
}
