import type { HostStateParams, SessionStats } from '../../../remote-agent/src/protocol';

/** Short human numbers for tree items and the status bar: 950, 12.3k, 4.1M. */
export function shortNumber(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  if (abs < 1e6) return `${(n / 1e3).toFixed(abs < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(abs < 1e7 ? 1 : 0)}M`;
}

/** Duration between two epoch-ms times: 850 ms, 12.4 s, 3 min 5 s. */
export function duration(fromMs: number, toMs: number): string {
  const ms = Math.max(0, toMs - fromMs);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

/** When something started, in local time: "14:03:12" today, "2026-11-21 14:03" on another day. */
export function startTime(ms: number, nowMs: number): string {
  const d = new Date(ms);
  const now = new Date(nowMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return sameDay ? `${time}:${pad(d.getSeconds())}` : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** Lost events as the views show them: 12, ≥12 (the probe died, at least that many) or unknown. */
export function lostCount(s: Pick<SessionStats, 'lostTotal' | 'lostBound'>): string {
  if (s.lostBound === 'unknown') return 'unknown';
  return `${s.lostBound === 'atLeast' ? '≥' : ''}${shortNumber(s.lostTotal)}`;
}

/** Text shown as is inside a MarkdownString. */
export function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** "12 events may have been missed", "an unknown number of events may have been missed", or nothing. */
export function missedText(missed: HostStateParams['missed']): string | undefined {
  if (missed === undefined) return undefined;
  if (missed === 'unknown') return 'an unknown number of events may have been missed';
  if (missed === 0) return 'no event was missed';
  return `${missed} event${missed === 1 ? '' : 's'} may have been missed`;
}

/** What a session ended by a dropped link says (and its file keeps): the host, why, and what may be missing. */
export function disconnectedMessage(host: string | undefined, reason: string | undefined, missed: HostStateParams['missed']): string {
  const what = missedText(missed);
  return `Disconnected from ${host ?? 'the remote host'}${reason ? `: ${reason}` : ''}. The events received before are kept${what ? `; ${what}` : ''}.`;
}
