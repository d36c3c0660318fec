/*
 * What the editor says about a line: the after-line hint ("open config.json ×3
 * · connect db:5432") and the hover's list of events, from the event model's
 * labels and one-line texts.
 */
import { eventText, KINDS } from '../../../remote-agent/src/model/event-model';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { formatTime, resultText } from '../../../webview/src/model/eventText';
import { filterTerm } from '../../../webview/src/model/filter';
import type { LineEvents } from './sourceIndex';

/** Longest after-line hint, in characters. */
export const HINT_MAX = 100;
/** Command the hover links to. */
export const SHOW_EVENTS_FOR_LINE = 'runtimeLens.showEventsForLine';

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1) || p;
}

function endpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** What an event acted on, in a few characters: a file's name, an endpoint, a program, a DNS name. */
export function eventSubject(e: LensEvent): string {
  const record = KINDS[e.kind]?.record;
  switch (record) {
    case 'open':
    case 'fsop':
      return baseName((e as { path: string }).path);
    case 'exec':
      return baseName((e as { filename: string }).filename);
    case 'dns':
      return (e as { name: string }).name;
    case 'sock':
    case 'tcp': {
      const s = e as { path?: string; dns?: string; daddr: string; dport: number; saddr: string; sport: number };
      if (s.path !== undefined) return baseName(s.path);
      if (e.kind === 'bind' || e.kind === 'listen') return endpoint(s.saddr, s.sport);
      return endpoint(s.dns ?? s.daddr, s.dport);
    }
    default:
      return eventText(e);
  }
}

/** The after-line hint: each kind with its subjects and count, most frequent kind first. */
export function lineHint(at: LineEvents): string {
  const parts = [...at.kinds.entries()].sort((a, b) => b[1].count - a[1].count).map(([kind, k]) => {
    const label = KINDS[kind]?.label ?? kind;
    const shown = k.subjects.slice(0, 2).join(', ');
    const others = k.subjects.length - 2 + (k.moreSubjects ? 1 : 0);
    const more = others > 0 ? ` +${others}${k.moreSubjects ? '+' : ''}` : '';
    const times = k.count > k.subjects.length ? ` ×${k.count}` : '';
    return `${label} ${shown}${more}${times}`;
  });
  const text = parts.join(' · ');
  return text.length > HINT_MAX ? `${text.slice(0, HINT_MAX - 1)}…` : text;
}

/** Escapes Markdown's special characters in text a hover shows. */
function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

/** A command link's URI with its JSON arguments. */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/**
 * The hover's Markdown: the latest events of the line (at most RECENT_PER_LINE, each with its
 * kind, text, result, process and time), how many more there are, and a link to the events view
 * filtered to the line.
 */
export function lineHover(at: LineEvents): string {
  const lines = [`**Runtime Lens** · ${at.count} event${at.count === 1 ? '' : 's'} at line ${at.line}`, ''];
  for (const e of [...at.recent].reverse()) {
    const result = resultText(e);
    lines.push(`- \`${KINDS[e.kind]?.label ?? e.kind}\` ${md(eventText(e))}${result ? ` → ${md(result)}` : ''} · ${md(e.comm)} (pid ${e.pid}) · ${formatTime(e.ts)}`);
  }
  const more = at.count - at.recent.length;
  if (more > 0) lines.push('', `and ${more} more`);
  const link = commandUri(SHOW_EVENTS_FOR_LINE, [{ file: at.sourceFile, line: at.line }]);
  lines.push('', `[Show ${at.count === 1 ? 'this event' : `all ${at.count} events`} in the events view](${link} "Runtime Lens: Show Events for This Line")`);
  return lines.join('\n');
}

/** The events view's filter for one source line (file as the events name it). */
export function lineFilter(sourceFile: string, line: number): string {
  return `${filterTerm('file', sourceFile)} ${filterTerm('line', line)}`;
}
