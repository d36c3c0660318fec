/*
 * Splits lens-probe's stdout (a byte stream of struct lens_frame + payload)
 * into whole frames. Chunks can end anywhere, even inside a frame header;
 * only the incomplete tail is kept and copied once more chunks arrive.
 */
import { LAYOUT } from './layout';

const FRAME_HDR = LAYOUT.lens_frame.size;
const F_LEN = LAYOUT.lens_frame.fields.len;
const F_TYPE = LAYOUT.lens_frame.fields.type;

/** Largest frame payload accepted; anything bigger means the stream is corrupt. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Receives one complete frame: its type and payload as buf[start, end). */
export type FrameHandler = (type: number, buf: Buffer, start: number, end: number) => void;

/** Streaming frame splitter over stdout chunks. */
export class FrameSplitter {
  private tail: Buffer | null = null;

  constructor(private readonly onFrame: FrameHandler) {}

  /** Feeds one chunk; calls onFrame for every frame completed by it. Throws on a corrupt stream. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.tail) {
      buf = Buffer.concat([this.tail, chunk]);
      this.tail = null;
    }
    let off = 0;
    const n = buf.length;
    while (n - off >= FRAME_HDR) {
      const len = buf.readUInt32LE(off + F_LEN);
      if (len > MAX_FRAME_BYTES) {
        throw new Error(`corrupt probe output: frame of ${len} bytes at stream offset ${off} (limit ${MAX_FRAME_BYTES})`);
      }
      const end = off + FRAME_HDR + len;
      if (end > n) break;
      this.onFrame(buf.readUInt16LE(off + F_TYPE), buf, off + FRAME_HDR, end);
      off = end;
    }
    if (off < n) this.tail = buf.subarray(off);
  }

  /** Bytes of an incomplete frame still waiting for more input (non-zero at EOF means a cut stream). */
  get pendingBytes(): number {
    return this.tail ? this.tail.length : 0;
  }
}
