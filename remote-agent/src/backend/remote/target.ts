/*
 * A remote host as the user names it: `[user@]host[:port]` (an IPv6 address
 * in brackets when a port follows), checked up front so a typo is a clear
 * error, not an ssh failure.
 */

import { parseHostTarget as readHostTarget } from '../../remote/host-target';

/** Where ssh connects: user and port only when given (else ssh's config decides). */
export interface HostTarget {
  user?: string;
  host: string;
  port?: number;
  /** as given, for messages and HostInfo */
  text: string;
}

/** Parses `[user@]host[:port]` (remote/host-target.ts, which the extension's host pick uses too); throws naming what was wrong. */
export function parseHostTarget(text: string): HostTarget {
  const read = readHostTarget(text);
  if ('error' in read) throw new Error(`--host: ${read.error}`);
  return { user: read.user, host: read.host, port: read.port, text: read.target };
}
