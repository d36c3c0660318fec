/*
 * How an event reads in the views: its kind group (for colours and toggles),
 * a one-line summary (both from the event model), and its result. Pure
 * functions, shared by every view.
 */
import { ALL_KINDS, eventText, type EventKind, KIND_GROUP_NAMES, KINDS, type KindGroup, kindsOfGroup } from '../../../remote-agent/src/model/event-model';
import type { LensEvent } from '../../../remote-agent/src/protocol';

export { ALL_KINDS, KIND_GROUP_NAMES as GROUP_NAMES, type KindGroup };

/** The kinds of each group, for the table's toggles and the filter's group names. */
export const KIND_GROUPS = {} as Record<KindGroup, readonly EventKind[]>;
for (const g of KIND_GROUP_NAMES) KIND_GROUPS[g] = kindsOfGroup(g);

/** The group a kind belongs to; unknown kinds (a newer agent) count as syscall-like. */
export function kindGroup(kind: string): KindGroup {
  return (KINDS as Partial<Record<string, { group: KindGroup }>>)[kind]?.group ?? 'syscall';
}

/** One line saying what the event did, as shown in the table's Summary column (the event model's text). */
export const summarize = eventText;

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
