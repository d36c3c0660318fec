/*
 * Demultiplexes the probe's packets (events.h framing) by type: records go to
 * the pipeline, control packets are decoded and handed to the session.
 */
import { decodeError, decodeHello, decodeStats, decodeSysAgg, decodeTarget, type ProbeError, type Hello, type ProbeStats, type TargetInfo, type SysAggRow } from '../decode/control';
import { PacketType } from '../decode/layout';

/** What each packet type becomes. */
export interface PacketHandlers {
  records(buf: Buffer, start: number, end: number): void;
  hello(h: Hello): void;
  stats(s: ProbeStats): void;
  target(t: TargetInfo): void;
  sysagg(rows: SysAggRow[]): void;
  error(e: ProbeError): void;
  unknown(type: number, bytes: number): void;
}

/** Hands one packet payload buf[start, end) of `type` to its handler. */
export function routePacket(type: number, buf: Buffer, start: number, end: number, to: PacketHandlers): void {
  switch (type) {
    case PacketType.RECORDS: return to.records(buf, start, end);
    case PacketType.HELLO: return to.hello(decodeHello(buf, start, end));
    case PacketType.STATS: return to.stats(decodeStats(buf, start, end));
    case PacketType.TARGET: return to.target(decodeTarget(buf, start, end));
    case PacketType.SYSAGG: return to.sysagg(decodeSysAgg(buf, start, end));
    case PacketType.ERROR: return to.error(decodeError(buf, start, end));
    default: return to.unknown(type, end - start);
  }
}
