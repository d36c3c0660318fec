/*
 * The agent's side of `lens-remote mux` (remote-agent/host-helper/mux.c):
 * frames of u8 channel, u32 little-endian length, payload, in both directions
 * over one ssh session.
 */

/** Channels, as lens-remote.h numbers them. */
export const Channel = {
  PROBE_IN: 0, PACKETS: 1, DIAG: 2, TARGET_IN: 3, TARGET_OUT: 4, TARGET_ERR: 5, ALIVE: 6, STARTED: 254, EXIT: 255,
} as const;

/**
 * The agent sends an ALIVE frame every ALIVE_EVERY_MS; `mux --alive MUX_ALIVE_S` stops the probe after
 * that long without input, so a link that dropped without a word (sshd may wait hours for TCP to give up)
 * does not leave the probe tracing on the host.
 */
export const ALIVE_EVERY_MS = 5000;
export const MUX_ALIVE_S = 30;

const HEADER = 5;

/** One frame for the host (an empty payload is EOF on that channel). */
export function encodeFrame(channel: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out[0] = channel;
  out.writeUInt32LE(payload.length, 1);
  payload.copy(out, HEADER);
  return out;
}

/** Splits the host's stream into frames, whatever the chunk boundaries. */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly frame: (channel: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= HEADER) {
      const len = buf.readUInt32LE(off + 1);
      if (buf.length - off - HEADER < len) break;
      this.frame(buf[off], buf.subarray(off + HEADER, off + HEADER + len));
      off += HEADER + len;
    }
    buf = buf.subarray(off);
    this.pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
  }

  /** bytes of a frame not complete yet */
  get pendingBytes(): number {
    return this.pending.length;
  }
}
