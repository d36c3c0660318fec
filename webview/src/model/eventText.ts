/*
 * How an event reads in the views: its kind group (for colours and toggles),
 * a one-line summary, and its result. Pure functions, shared by every view.
 */
import type { EventKind, LensEvent } from '../../../remote-agent/src/protocol';

/** Kind groups, used for the table's toggles and for colours in every view. */
export const KIND_GROUPS = {
  process: ['exec', 'fork', 'exit'],
  file: ['open', 'unlink', 'rmdir', 'rename', 'mkdir', 'chmod', 'chown', 'truncate', 'link', 'symlink', 'chdir'],
  net: ['connect', 'accept', 'bind', 'listen', 'tcp_close', 'udp_send'],
  dns: ['dns'],
  syscall: ['syscall'],
  finding: ['finding'],
} as const satisfies Record<string, readonly EventKind[]>;

export type KindGroup = keyof typeof KIND_GROUPS;
export const GROUP_NAMES = Object.keys(KIND_GROUPS) as KindGroup[];

/** Every kind, in a fixed order (its index is the kind's code in the column store). */
export const ALL_KINDS: readonly EventKind[] = GROUP_NAMES.flatMap((g) => KIND_GROUPS[g] as readonly EventKind[]);

const groupOfKind = new Map<string, KindGroup>();
for (const g of GROUP_NAMES) for (const k of KIND_GROUPS[g]) groupOfKind.set(k, g);

/** The group a kind belongs to; unknown kinds (a newer agent) count as syscall-like. */
export function kindGroup(kind: string): KindGroup {
  return groupOfKind.get(kind) ?? 'syscall';
}

function endpoint(addr: string, port: number, dns?: string): string {
  const host = dns || (addr.includes(':') ? `[${addr}]` : addr);
  return port ? `${host}:${port}` : host;
}

function quoteArgv(argv: string[]): string {
  return argv.map((a) => (a === '' || /\s/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

/** One line saying what the event did, as shown in the table's Summary column. */
export function summarize(e: LensEvent): string {
  switch (e.kind) {
    case 'exec': return `${e.filename} ${quoteArgv(e.argv.slice(1))}`.trimEnd() + (e.untraced ? ` (${e.untraced}: no longer traced)` : '');
    case 'fork': return `${e.thread ? 'thread' : 'child'} ${e.child_pid}`;
    case 'exit': return e.signal ? `killed by ${e.signal}${e.core_dumped ? ' (core dumped)' : ''}` : `exit ${e.exit_code}`;
    case 'open': return `${e.path} ${e.flags}`;
    case 'rename': case 'link': case 'symlink': return `${e.path} → ${e.path2 ?? '?'}`;
    case 'unlink': case 'rmdir': case 'mkdir': case 'chmod': case 'chown': case 'truncate': case 'chdir':
      return e.mode ? `${e.path} ${e.mode}` : e.path;
    case 'connect': case 'udp_send':
      return e.path ? `${e.family} ${e.path}` : `${e.proto ?? e.family} → ${endpoint(e.daddr, e.dport, e.dns)}`;
    case 'accept': return e.path ? `${e.family} ${e.path}` : `${e.proto ?? e.family} ← ${endpoint(e.daddr, e.dport, e.dns)}`;
    case 'bind': case 'listen': return e.path ? `${e.family} ${e.path}` : `${e.family} ${endpoint(e.saddr, e.sport)}`;
    case 'tcp_close':
      return `${endpoint(e.daddr, e.dport, e.dns)} sent ${e.bytes_sent} B, received ${e.bytes_received} B`;
    case 'dns': return `${e.name} → ${e.answers.length ? e.answers.join(', ') : e.error ?? 'no answer'}`;
    case 'syscall': {
      const args = e.decoded
        ? Object.entries(e.decoded).map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : v}`)
        : e.args;
      return `${e.name}(${args.join(', ')})`;
    }
    case 'finding': return `[${e.severity}] ${e.rule}: ${e.message}`;
    default: return '';
  }
}

/** Numeric result used for sorting and `ret:` filters: ret, or the exit code; NaN when the kind has none. */
export function resultValue(e: LensEvent): number {
  if ('ret' in e && typeof e.ret === 'number') return e.ret;
  if (e.kind === 'exit') return e.exit_code;
  return Number.NaN;
}

/** The Result column's text: `0`, `-2 ENOENT`, `exit 1`, or empty. */
export function resultText(e: LensEvent): string {
  if ('ret' in e && typeof e.ret === 'number') {
    const errno = 'errno' in e && e.errno ? ` ${e.errno}` : '';
    return `${e.ret}${errno}`;
  }
  if (e.kind === 'exit') return e.signal ?? `exit ${e.exit_code}`;
  return '';
}

/**
 * True when the event reports a failure (negative ret, non-zero exit, failed lookup).
 * A non-blocking connect returning EINPROGRESS has not failed: it is under way.
 */
export function isError(e: LensEvent): boolean {
  if (e.kind === 'connect' && e.errno === 'EINPROGRESS') return false;
  if ('ret' in e && typeof e.ret === 'number' && e.ret < 0) return true;
  if (e.kind === 'exit') return e.exit_code !== 0 || !!e.signal;
  if (e.kind === 'dns') return !!e.error;
  return false;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** Wall-clock time with milliseconds, e.g. `14:03:07.215` (the Intl part is cached per second). */
export function formatTime(ts: number): string {
  const second = Math.floor(ts / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = timeFmt.format(second * 1000);
  }
  const ms = Math.floor(ts - second * 1000);
  return `${cachedPrefix}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

/** Human-readable duration for nanoseconds: `850 ns`, `12.3 µs`, `4.1 ms`, `2.00 s`. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '';
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/** Human-readable byte count: `512 B`, `1.5 KiB`, `3.2 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
