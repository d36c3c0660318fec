/*
 * The preload every Node process of a launched target loads (NODE_OPTIONS
 * --require, written out by preload-file.ts from this function's source).
 * At each call of an fs, child_process, net or dns function that makes an
 * exec/file/net/dns event, it captures the JS stack of the call (once per
 * outermost call, structured call sites) and writes one report line to the
 * session's FIFO: the thread, CLOCK_MONOTONIC time, the operation and what
 * the agent matches it on (the path, the port, the host name). Asynchronous
 * work (fs callbacks and promises, dns.lookup) is reported when it is
 * queued, so the event its threadpool thread makes later finds the stack of
 * the line that asked for it.
 *
 * Never blocks and never changes what the app sees: the FIFO is opened
 * O_NONBLOCK (no reader: nothing is patched), a full FIFO drops the report
 * (counted, sent with the next one), a vanished reader closes the channel,
 * and every failure inside falls through to the original function.
 *
 * It runs inside the target: self-contained (no imports, nothing from the
 * enclosing module), because its source text is what the target loads.
 */

/** The line format written to the channel; read by report-parser.ts. */
export interface PreloadHello { t: 'h'; p: number; w: number; l?: number }
export interface PreloadReport {
  t: 'r';
  /** pid, writer thread (tid of the JS thread), CLOCK_MONOTONIC ns */
  p: number; w: number; n: number;
  /** operation: fs (a path op), spawn, connect, listen, dns */
  o: 'fs' | 'spawn' | 'connect' | 'listen' | 'dns';
  /** the match arguments: paths (fs), a port or unix path (connect, listen), a host name (dns) */
  a?: Array<string | number>;
  /** fs path match: e exact, r recursive (under or an ancestor), p prefix (mkdtemp) */
  m?: 'e' | 'r' | 'p';
  /** 1: the event happens on this thread during the call */
  s?: 1;
  /** files named for the first time by this writer: id → script path or URL */
  f?: Record<string, string>;
  /** frames innermost first: [file id (-1: none), line, column, function] */
  k: Array<[number, number, number, string]>;
  /** 1: the stack was cut at the capture depth */
  x?: 1;
  /** reports this writer dropped since its last one (FIFO full) */
  l?: number;
}

/** Runs in the target at startup; a no-op without RUNTIME_LENS_NODE_CHANNEL. */
export function nodePreload(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- this source runs as a CommonJS preload inside the target */
  const channel = process.env.RUNTIME_LENS_NODE_CHANNEL;
  if (!channel) return;
  const fs = require('node:fs') as typeof import('node:fs');
  const pathMod = require('node:path') as typeof import('node:path');
  const url = require('node:url') as typeof import('node:url');
  const DEPTH = 32;
  const MAX_LINE = 4000; // under PIPE_BUF (4096): each write lands whole or not at all
  let fd = -1;
  try {
    fd = fs.openSync(channel, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    return; // no agent reading: the app runs unchanged
  }
  let tid = process.pid;
  try {
    // eslint-disable-next-line no-restricted-syntax -- runs in the target, not the agent: its own thread id, which Node does not give
    tid = Number(fs.readlinkSync('/proc/thread-self').split('/')[2]) || process.pid;
  } catch { /* keep the pid */ }
  const writeSync = fs.writeSync;
  const files = new Map<string, number>();
  let lost = 0;
  let depth = 0;
  let outer: { defs: Record<string, string>; added: string[]; body: string } | undefined;
  /** op and arguments last reported for the outermost call: an inner call doing the same is not reported again */
  let outerKey = '';

  function send(line: string): boolean {
    if (fd < 0) return false;
    const limit = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = 0; // a full FIFO throws EAGAIN: no stack for that error
      writeSync(fd, line);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') lost++;
      else {
        try { fs.closeSync(fd); } catch { /* gone */ }
        fd = -1; // the agent stopped reading (EPIPE): report nothing more
      }
      return false;
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  function capture(skip: (...args: never[]) => unknown): NonNullable<typeof outer> {
    const prepare = Error.prepareStackTrace;
    const limit = Error.stackTraceLimit;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    let sites: NodeJS.CallSite[];
    try {
      Error.prepareStackTrace = (_e, callSites) => callSites;
      Error.stackTraceLimit = DEPTH;
      Error.captureStackTrace(holder, skip);
      sites = holder.stack ?? []; // formatted on first read: while prepareStackTrace is ours
    } finally {
      Error.prepareStackTrace = prepare;
      Error.stackTraceLimit = limit;
    }
    const defs: Record<string, string> = {};
    const added: string[] = [];
    const frames: Array<[number, number, number, string]> = [];
    for (const s of sites) {
      const file = s.getFileName() ?? s.getScriptNameOrSourceURL?.() ?? undefined;
      let id = -1;
      if (file) {
        const known = files.get(file);
        if (known === undefined) {
          id = files.size;
          files.set(file, id);
          defs[id] = file;
          added.push(file);
        } else id = known;
      }
      let fn = s.getFunctionName() ?? '';
      if (!fn) {
        const method = s.getMethodName();
        if (method) fn = `${s.getTypeName() ?? ''}.${method}`;
      }
      frames.push([id, s.getLineNumber() ?? 0, s.getColumnNumber() ?? 0, fn]);
    }
    let body = `"k":${JSON.stringify(frames)}${sites.length >= DEPTH ? ',"x":1' : ''}`;
    if (body.length > MAX_LINE - 600) body = `"k":${JSON.stringify(frames.slice(0, 8))},"x":1`;
    return { defs, added, body };
  }

  function report(st: NonNullable<typeof outer>, op: string, args: Array<string | number>, mode: string, sync: boolean): void {
    const now = process.hrtime.bigint();
    let line = `{"t":"r","p":${process.pid},"w":${tid},"n":${now},"o":"${op}"`;
    if (args.length) line += `,"a":${JSON.stringify(args)}`;
    if (mode !== 'e') line += `,"m":"${mode}"`;
    if (sync) line += ',"s":1';
    if (st.added.length) line += `,"f":${JSON.stringify(st.defs)}`;
    if (lost) line += `,"l":${lost}`;
    line += `,${st.body}}\n`;
    if (Buffer.byteLength(line) > MAX_LINE) { lost++; return; }
    const had = lost;
    if (send(line)) lost -= had;
    else for (const f of st.added) files.delete(f); // never seen by the agent: define again next time
  }

  function pathOf(p: unknown): string | undefined {
    if (typeof p === 'string') return pathMod.resolve(p);
    if (Buffer.isBuffer(p)) return pathMod.resolve(p.toString('latin1'));
    if (p instanceof URL && p.protocol === 'file:') return url.fileURLToPath(p);
    return undefined; // an fd: no path event
  }

  /** What a call is matched on: its arguments, the fs path mode; undefined when it makes no event. */
  type Match = { a: Array<string | number>; m?: 'e' | 'r' | 'p' } | undefined;

  function wrap(obj: Record<string, unknown> | undefined, name: string, op: string, sync: boolean, match: (args: unknown[]) => Match): void {
    const orig = obj?.[name];
    if (typeof orig !== 'function') return;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      if (fd >= 0) {
        try {
          const m = match(args);
          const key = m ? op + JSON.stringify(m.a) : '';
          if (depth === 0) { outer = undefined; outerKey = ''; }
          if (m && key !== outerKey) {
            const st = outer ??= capture(wrapped);
            report(st, op, m.a, m.m ?? 'e', sync);
            outerKey = key;
          }
        } catch { /* never in the app's way */ }
      }
      depth++;
      try {
        return (orig as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        depth--;
      }
    };
    Object.defineProperty(wrapped, 'name', { value: orig.name });
    Object.defineProperty(wrapped, 'length', { value: orig.length });
    for (const key of Reflect.ownKeys(orig)) {
      if (key === 'name' || key === 'length' || key === 'prototype') continue;
      const d = Object.getOwnPropertyDescriptor(orig, key);
      if (d) Object.defineProperty(wrapped, key, d);
    }
    if ((orig as { prototype?: unknown }).prototype) (wrapped as { prototype?: unknown }).prototype = (orig as { prototype?: unknown }).prototype;
    obj![name] = wrapped;
  }

  const onePath = (args: unknown[]): Match => { const p = pathOf(args[0]); return p ? { a: [p] } : undefined; };
  const twoPaths = (args: unknown[]): Match => {
    const a = [pathOf(args[0]), pathOf(args[1])].filter((p): p is string => p !== undefined);
    return a.length ? { a } : undefined;
  };
  const recursive = (paths: (args: unknown[]) => Match, optionsAt: number) => (args: unknown[]): Match => {
    const m = paths(args);
    const o = args[optionsAt] as { recursive?: boolean } | undefined;
    return m && o && typeof o === 'object' && o.recursive ? { a: m.a, m: 'r' } : m;
  };
  const prefix = (args: unknown[]): Match => { const p = pathOf(args[0]); return p ? { a: [p], m: 'p' } : undefined; };
  const FS_ONE = ['open', 'readFile', 'writeFile', 'appendFile', 'opendir', 'unlink', 'chmod', 'lchmod', 'chown', 'lchown', 'truncate'];
  const FS_TWO = ['rename', 'copyFile', 'link', 'symlink'];
  const fsMod = fs as unknown as Record<string, unknown>;
  for (const sync of [false, true]) {
    const s = sync ? 'Sync' : '';
    for (const n of FS_ONE) wrap(fsMod, n + s, 'fs', sync, onePath);
    for (const n of FS_TWO) wrap(fsMod, n + s, 'fs', sync, twoPaths);
    for (const n of ['mkdir', 'rmdir', 'rm', 'readdir']) wrap(fsMod, n + s, 'fs', sync, recursive(onePath, 1));
    wrap(fsMod, 'cp' + s, 'fs', sync, recursive(twoPaths, 2));
    wrap(fsMod, 'mkdtemp' + s, 'fs', sync, prefix);
  }
  for (const n of ['createReadStream', 'createWriteStream']) wrap(fsMod, n, 'fs', false, onePath);
  const promises = fs.promises as unknown as Record<string, unknown>;
  for (const n of FS_ONE) wrap(promises, n, 'fs', false, onePath);
  for (const n of FS_TWO) wrap(promises, n, 'fs', false, twoPaths);
  for (const n of ['mkdir', 'rmdir', 'rm', 'readdir']) wrap(promises, n, 'fs', false, recursive(onePath, 1));
  wrap(promises, 'cp', 'fs', false, recursive(twoPaths, 2));
  wrap(promises, 'mkdtemp', 'fs', false, prefix);
  wrap(process as unknown as Record<string, unknown>, 'chdir', 'fs', true, onePath);

  // libuv forks on the calling thread during the call, async API or not
  const cp = require('node:child_process') as unknown as Record<string, unknown>;
  for (const n of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) wrap(cp, n, 'spawn', true, () => ({ a: [] }));

  const endpoint = (args: unknown[]): Match => {
    let o = args[0];
    if (Array.isArray(o)) o = o[0]; // net.connect hands Socket#connect its normalized arguments
    if (typeof o === 'number') return { a: [o] };
    if (typeof o === 'string') return /^\d+$/.test(o) ? { a: [Number(o)] } : { a: [pathMod.resolve(o)] };
    if (o && typeof o === 'object') {
      const { port, path } = o as { port?: unknown; path?: unknown };
      if (typeof path === 'string') return { a: [pathMod.resolve(path)] };
      if (port !== undefined && port !== null) return { a: [Number(port)] };
      return { a: [0] };
    }
    return undefined;
  };
  const net = require('node:net') as typeof import('node:net');
  wrap(net.Socket.prototype as unknown as Record<string, unknown>, 'connect', 'connect', false, endpoint);
  wrap(net.Server.prototype as unknown as Record<string, unknown>, 'listen', 'listen', false, (args) => endpoint(args.length ? args : [0]));

  const hostOf = (args: unknown[]): Match => (typeof args[0] === 'string' && args[0] ? { a: [args[0]] } : undefined);
  const dns = require('node:dns') as typeof import('node:dns');
  wrap(dns as unknown as Record<string, unknown>, 'lookup', 'dns', false, hostOf);
  wrap(dns.promises as unknown as Record<string, unknown>, 'lookup', 'dns', false, hostOf);

  // ESM imports of builtins see the patched functions
  (require('node:module') as typeof import('node:module')).syncBuiltinESMExports();
  send(`{"t":"h","p":${process.pid},"w":${tid}}\n`);
}
