/*
 * Splits lens-probe's stdout (a byte stream of struct lens_packet + payload)
 * into whole packets. Chunks can end anywhere, even inside a packet header;
 * only the incomplete tail is kept and copied once more chunks arrive.
 */
import { LAYOUT } from './layout';

const PACKET_HDR = LAYOUT.lens_packet.size;
const F_LEN = LAYOUT.lens_packet.fields.len;
const F_TYPE = LAYOUT.lens_packet.fields.type;

/** Largest packet payload accepted; anything bigger means the stream is corrupt. */
export const MAX_PACKET_BYTES = 64 * 1024 * 1024;

/** Receives one complete packet: its type and payload as buf[start, end). */
export type PacketHandler = (type: number, buf: Buffer, start: number, end: number) => void;

/** Streaming packet splitter over stdout chunks. */
export class PacketSplitter {
  private tail: Buffer | null = null;

  constructor(private readonly onPacket: PacketHandler) {}

  /** Feeds one chunk; calls onPacket for every packet completed by it. Throws on a corrupt stream. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.tail) {
      buf = Buffer.concat([this.tail, chunk]);
      this.tail = null;
    }
    let off = 0;
    const n = buf.length;
    while (n - off >= PACKET_HDR) {
      const len = buf.readUInt32LE(off + F_LEN);
      if (len > MAX_PACKET_BYTES) {
        throw new Error(`corrupt probe output: packet of ${len} bytes at stream offset ${off} (limit ${MAX_PACKET_BYTES})`);
      }
      const end = off + PACKET_HDR + len;
      if (end > n) break;
      this.onPacket(buf.readUInt16LE(off + F_TYPE), buf, off + PACKET_HDR, end);
      off = end;
    }
    if (off < n) this.tail = buf.subarray(off);
  }

  /** Bytes of an incomplete packet still waiting for more input (non-zero at EOF means a cut stream). */
  get pendingBytes(): number {
    return this.tail ? this.tail.length : 0;
  }
}
