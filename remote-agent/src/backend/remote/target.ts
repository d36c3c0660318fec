/*
 * A remote host as the user names it: `[user@]host[:port]` (an IPv6 address
 * in brackets when a port follows), checked up front so a typo is a clear
 * error, not an ssh failure.
 */

/** Where ssh connects: user and port only when given (else ssh's config decides). */
export interface HostTarget {
  user?: string;
  host: string;
  port?: number;
  /** as given, for messages and HostInfo */
  text: string;
}

/** Parses `[user@]host[:port]`; throws naming what was wrong. */
export function parseHostTarget(text: string): HostTarget {
  const m = /^(?:([^@\s:/]+)@)?(\[[0-9a-fA-F:.]+\]|[^@\s:[\]/]+)(?::(\d+))?$/.exec(text);
  if (!m || m[2].startsWith('-')) {
    throw new Error(`--host '${text}' is not [user@]host[:port] (e.g. deploy@staging.example.com:2222, or a Host of ~/.ssh/config)`);
  }
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`--host '${text}': port ${m[3]} is not 1..65535`);
  return { user: m[1], host: m[2].replace(/^\[(.*)\]$/, '$1'), port, text };
}
