/*
 * Splits lens-probe's stdout (a byte stream of struct lens_packet + payload)
 * into whole packets. Chunks can end anywhere, even inside a packet header;
 * the chunks of an incomplete packet are kept and copied once, when it is whole.
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
  /* an incomplete packet: the chunks of it received so far, joined once it is whole */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** bytes the incomplete packet needs in all (header included); 0 while its header is incomplete */
  private need = 0;

  constructor(private readonly onPacket: PacketHandler) {}

  /** Feeds one chunk; calls onPacket for every packet completed by it. Throws on a corrupt stream. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.partBytes) {
      // A packet (up to 1 MiB) spans many pipe reads: keep them and copy once, when it is complete.
      this.parts.push(chunk);
      this.partBytes += chunk.length;
      if (this.need === 0 && this.partBytes >= PACKET_HDR) {
        const joined = Buffer.concat(this.parts, this.partBytes);
        this.parts = [joined];
        this.need = PACKET_HDR + this.packetLength(joined, 0);
      }
      if (this.need === 0 || this.partBytes < this.need) return;
      buf = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partBytes);
      this.parts = [];
      this.partBytes = 0;
      this.need = 0;
    }
    let off = 0;
    const n = buf.length;
    while (n - off >= PACKET_HDR) {
      const end = off + PACKET_HDR + this.packetLength(buf, off);
      if (end > n) break;
      this.onPacket(buf.readUInt16LE(off + F_TYPE), buf, off + PACKET_HDR, end);
      off = end;
    }
    if (off < n) {
      this.parts = [buf.subarray(off)];
      this.partBytes = n - off;
      this.need = n - off >= PACKET_HDR ? PACKET_HDR + this.packetLength(buf, off) : 0;
    }
  }

  /** Payload length of the packet whose header is at buf[off]; throws when it is absurd. */
  private packetLength(buf: Buffer, off: number): number {
    const len = buf.readUInt32LE(off + F_LEN);
    if (len > MAX_PACKET_BYTES) {
      throw new Error(`corrupt probe output: packet of ${len} bytes at stream offset ${off} (limit ${MAX_PACKET_BYTES})`);
    }
    return len;
  }

  /** Bytes of an incomplete packet still waiting for more input (non-zero at EOF means a cut stream). */
  get pendingBytes(): number {
    return this.partBytes;
  }
}
