/*
 * The events table's detail pane: the selected event's decoded fields, its
 * source frames (click to open the file), the raw record as JSON, and
 * "Copy as JSON" (the extension writes the clipboard).
 */
import type { LensEvent } from '../../../remote-agent/src/protocol';
import type { Host } from '../host';
import { KINDS } from '../../../remote-agent/src/model/event-model';
import { formatNs, formatTime, isError, kindGroup, resultText, summarize } from '../model/eventText';
import { h } from '../ui/dom';

const BASE_FIELDS = new Set(['ts', 'kind', 'pid', 'tid', 'ppid', 'uid', 'comm', 'frames', 'decoded', 'args']);

function valueText(key: string, v: unknown): string {
  if (key === 'dur_ns' && typeof v === 'number') return `${formatNs(v)} (${v} ns)`;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The decoded arguments of an event, as label/value pairs in display order. */
export function decodedFields(e: LensEvent): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['time', `${formatTime(e.ts)} (${e.ts})`],
    ['process', `${e.comm} pid ${e.pid} tid ${e.tid} ppid ${e.ppid} uid ${e.uid}`],
  ];
  if (e.kind === 'syscall') {
    if (e.decoded) for (const [k, v] of Object.entries(e.decoded)) out.push([k, String(v)]);
    else e.args.forEach((a, i) => out.push([`arg${i}`, a]));
  }
  // the kind's fields in the event model's order, then any other (a newer agent's)
  const own: readonly string[] = KINDS[e.kind]?.fields ?? [];
  const fields = e as unknown as Record<string, unknown>;
  for (const k of [...own, ...Object.keys(e).filter((k) => !own.includes(k))]) {
    const v = fields[k];
    if (BASE_FIELDS.has(k) || v === undefined || k === 'event') continue;
    out.push([k, valueText(k, v)]);
  }
  return out;
}

/** Why it exists: show one event in full next to the table. */
export class DetailPane {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly fields: HTMLElement;
  private readonly frames: HTMLElement;
  private readonly raw: HTMLElement;
  private readonly copyButton: HTMLElement;
  private current: LensEvent | null = null;

  constructor(private readonly host: Host, current: () => LensEvent | null) {
    this.title = h('div', { class: 'detail-title', id: 'detail-title' });
    this.fields = h('dl', { class: 'detail-fields', id: 'detail-fields' });
    this.frames = h('ol', { class: 'detail-frames', id: 'detail-frames', 'aria-label': 'Call stack' });
    this.raw = h('pre', { class: 'detail-raw', id: 'detail-raw', 'aria-label': 'Raw record' });
    this.copyButton = h('vscode-button', { id: 'copy-json', appearance: 'secondary' }, 'Copy as JSON');
    this.copyButton.addEventListener('click', () => {
      const e = current();
      if (e) this.host.post({ type: 'copy', text: JSON.stringify(e, null, 2) });
    });
    this.element = h('section', { class: 'detail', id: 'detail', 'aria-label': 'Event detail' },
      h('div', { class: 'detail-head' }, this.title, this.copyButton),
      this.fields,
      this.frames,
      h('details', { class: 'detail-raw-box', open: true }, h('summary', {}, 'Raw record (JSON)'), this.raw));
    this.show(null);
  }

  show(e: LensEvent | null): void {
    this.current = e;
    this.element.classList.toggle('nothing', e === null);
    this.copyButton.toggleAttribute('disabled', e === null);
    if (!e) {
      this.title.textContent = 'Select an event to see its details.';
      this.fields.replaceChildren();
      this.frames.replaceChildren();
      this.frames.hidden = true;
      this.raw.textContent = '';
      return;
    }
    this.title.replaceChildren(
      h('span', { class: `kind-label group-${kindGroup(e.kind)}`, title: KINDS[e.kind]?.label ?? e.kind }, e.kind), ' ', summarize(e),
      ...(resultText(e) ? [' ', h('span', { class: isError(e) ? 'result failed' : 'result' }, resultText(e))] : []));
    this.fields.replaceChildren(...decodedFields(e).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    const frames = e.frames ?? [];
    this.frames.hidden = frames.length === 0;
    this.frames.replaceChildren(...frames.map((f) => {
      const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : f.module ?? '?';
      const label = `${f.function ?? '??'} — ${where}`;
      if (!f.file || !f.line) return h('li', {}, label);
      const link = h('a', { href: '#', class: 'frame-link', title: `Open ${where}` }, label);
      const file = f.file;
      const line = f.line;
      link.addEventListener('click', (ev) => { ev.preventDefault(); this.host.post({ type: 'reveal', file, line }); });
      return h('li', {}, link);
    }));
    this.raw.textContent = JSON.stringify(e, null, 2);
  }

  get event(): LensEvent | null { return this.current; }
}
