/*
 * A sockaddr the kernel read behind a connect/bind/sendto argument, as
 * strace writes it: {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}.
 */
import { formatIp } from '../enrich/addr';
import { nameText } from '../decode/strings';
import { familyName } from './flags';

const SUN_PATH = 2; // offsetof(struct sockaddr_un, sun_path)

/** The sockaddr in buf[start, end) as text. */
export function sockaddrText(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len < 2) return '{}';
  const family = buf.readUInt16LE(start);
  const fam = `sa_family=${familyName(family)}`;
  if (family === 2 && len >= 8) {
    const addr = formatIp({ family, port: 0, addr: buf.subarray(start + 4, start + 8) });
    return `{${fam}, sin_port=htons(${buf.readUInt16BE(start + 2)}), sin_addr=inet_addr("${addr}")}`;
  }
  if (family === 10 && len >= 24) {
    const addr = formatIp({ family, port: 0, addr: buf.subarray(start + 8, start + 24) });
    const scope = len >= 28 ? buf.readUInt32LE(start + 24) : 0;
    return `{${fam}, sin6_port=htons(${buf.readUInt16BE(start + 2)}), sin6_flowinfo=htonl(${buf.readUInt32BE(start + 4)}), ` +
      `inet_pton(AF_INET6, "${addr}", &sin6_addr), sin6_scope_id=${scope}}`;
  }
  if (family === 1) {
    if (len <= SUN_PATH) return `{${fam}}`;
    const abstract = buf[start + SUN_PATH] === 0;
    const from = start + SUN_PATH + (abstract ? 1 : 0);
    let to = from;
    if (abstract) to = end;
    else while (to < end && buf[to] !== 0) to++;
    return `{${fam}, sun_path=${abstract ? '@' : ''}"${nameText(buf, from, to)}"}`;
  }
  return `{${fam}}`;
}
