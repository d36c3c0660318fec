/*
 * A remote host as users write it (`--host`, "Connect to Remote Host…"):
 * [user@]host[:port], host being a name, an ~/.ssh/config alias, an IPv4
 * address or an [IPv6] address in brackets.
 */

/** The parts of a [user@]host[:port] target. */
export interface HostTarget {
  /** the text as given, trimmed: what ssh is given and what names the host's agent */
  target: string;
  user?: string;
  host: string;
  port?: number;
}

const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/;
const NAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[\w.-]+)?$/;

/** Reads [user@]host[:port]; the error says what is wrong and what is expected. */
export function parseHostTarget(text: string): HostTarget | { error: string } {
  const target = text.trim();
  const expected = 'expected [user@]host[:port], e.g. deploy@staging.example.com:2222 or a Host of ~/.ssh/config';
  if (!target) return { error: `No host given; ${expected}.` };
  if (/\s/.test(target)) return { error: `"${target}" contains a space; ${expected}.` };
  if (target.startsWith('-')) return { error: `"${target}" starts with "-", which ssh would read as an option; ${expected}.` };
  const at = target.lastIndexOf('@');
  const user = at >= 0 ? target.slice(0, at) : undefined;
  let rest = at >= 0 ? target.slice(at + 1) : target;
  if (user !== undefined && !USER.test(user)) return { error: `"${user}" is not a user name; ${expected}.` };
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) return { error: `"${target}": an IPv6 address opened with [ is not closed with ]; ${expected}.` };
    host = rest.slice(1, end);
    rest = rest.slice(end + 1);
    if (rest && !rest.startsWith(':')) return { error: `"${target}": only :port may follow ]; ${expected}.` };
    portText = rest ? rest.slice(1) : undefined;
    if (!IPV6.test(host)) return { error: `"${host}" is not an IPv6 address; ${expected}.` };
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0 && rest.indexOf(':', colon + 1) >= 0) return { error: `"${target}": write an IPv6 address in brackets, e.g. [fd00::2]:22.` };
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    portText = colon >= 0 ? rest.slice(colon + 1) : undefined;
    if (!NAME.test(host)) return { error: `"${host || target}" is not a host name or address; ${expected}.` };
  }
  let port: number | undefined;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) return { error: `"${portText}" is not a port; expected a number from 1 to 65535 after the colon.` };
  }
  return { target, ...(user !== undefined ? { user } : {}), host, ...(port !== undefined ? { port } : {}) };
}
