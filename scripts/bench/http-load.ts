// A small keep-alive HTTP/1.1 load client for workload (c): fixed connections, one request in flight on each.
import net from 'node:net';

export interface LoadResult {
  requests: number;
  seconds: number;
  /** client CPU (user+system) over the measured window, seconds */
  clientCpuS: number;
  errors: number;
}

/** A running client: counts responses until stop(). */
export interface Load {
  /** responses completed so far */
  count(): number;
  errors(): number;
  stop(): void;
}

const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n', 'latin1');

/**
 * Opens `connections` keep-alive connections to 127.0.0.1:port and keeps one
 * request in flight on each until stop(). Responses are parsed just enough to
 * find their end (Content-Length), so the client stays cheap.
 */
export function startLoad(port: number, connections: number): Load {
  let done = 0;
  let errors = 0;
  let stopped = false;
  const sockets: net.Socket[] = [];
  for (let i = 0; i < connections; i++) {
    const sock = net.connect({ host: '127.0.0.1', port, noDelay: true });
    sockets.push(sock);
    let buf = '';
    sock.setEncoding('latin1');
    sock.on('connect', () => sock.write(REQUEST));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(buf.slice(0, end));
        if (!m) {
          errors++;
          sock.destroy();
          return;
        }
        const total = end + 4 + Number(m[1]);
        if (buf.length < total) return;
        if (!buf.startsWith('HTTP/1.1 200')) errors++;
        buf = buf.slice(total);
        done++;
        if (!stopped) sock.write(REQUEST);
      }
    });
    sock.on('error', () => {
      if (!stopped) errors++;
    });
  }
  return {
    count: () => done,
    errors: () => errors,
    stop: () => {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
}

/** Resolves after ms milliseconds (pacing of the load phases, not synchronisation). */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs the load for warmupS (not counted), then measures for seconds; returns requests and client CPU in the window. */
export async function measureLoad(port: number, connections: number, warmupS: number, seconds: number,
  onWindow?: (phase: 'start' | 'end') => void): Promise<LoadResult> {
  const load = startLoad(port, connections);
  try {
    await delay(warmupS * 1000);
    const c0 = load.count();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    onWindow?.('start');
    await delay(seconds * 1000);
    const c1 = load.count();
    const cpu = process.cpuUsage(cpu0);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    onWindow?.('end');
    return { requests: c1 - c0, seconds: secs, clientCpuS: (cpu.user + cpu.system) / 1e6, errors: load.errors() };
  } finally {
    load.stop();
  }
}
