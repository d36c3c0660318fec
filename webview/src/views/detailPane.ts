/*
 * The events table's detail pane: the selected event's decoded fields, its
 * call stack (stackPane.ts), the raw record as JSON, and
 * "Copy as JSON" (the extension writes the clipboard).
 */
import type { LensEvent } from '../../../remote-agent/src/protocol';
import type { Host } from '../host';
import { KINDS } from '../../../remote-agent/src/model/event-model';
import { formatNs, formatTime, isError, kindGroup, resultText, summarize } from '../model/eventText';
import { h } from '../ui/dom';
import { location, StackPane } from './stackPane';

const BASE_FIELDS = new Set(['ts', 'kind', 'pid', 'tid', 'ppid', 'uid', 'comm', 'frames', 'frames_truncated', 'stack_error', 'source', 'decoded', 'args']);

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
  if (e.source) out.push(['source', `${location(e.source.file, e.source.line, e.source.column)}${e.source.function ? ` in ${e.source.function}` : ''}`]);
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
  private readonly stack: StackPane;
  private readonly raw: HTMLElement;
  private readonly copyButton: HTMLElement;
  private current: LensEvent | null = null;

  constructor(private readonly host: Host, current: () => LensEvent | null) {
    this.title = h('div', { class: 'detail-title', id: 'detail-title' });
    this.fields = h('dl', { class: 'detail-fields', id: 'detail-fields' });
    this.stack = new StackPane(host);
    this.raw = h('pre', { class: 'detail-raw', id: 'detail-raw', 'aria-label': 'Raw record' });
    this.copyButton = h('vscode-button', { id: 'copy-json', appearance: 'secondary' }, 'Copy as JSON');
    this.copyButton.addEventListener('click', () => {
      const e = current();
      if (e) this.host.post({ type: 'copy', text: JSON.stringify(e, null, 2) });
    });
    this.element = h('section', { class: 'detail', id: 'detail', 'aria-label': 'Event detail' },
      h('div', { class: 'detail-head' }, this.title, this.copyButton),
      this.fields,
      this.stack.element,
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
      this.stack.show(null);
      this.raw.textContent = '';
      return;
    }
    this.title.replaceChildren(
      h('span', { class: `kind-label group-${kindGroup(e.kind)}`, title: KINDS[e.kind]?.label ?? e.kind }, e.kind), ' ', summarize(e),
      ...(resultText(e) ? [' ', h('span', { class: isError(e) ? 'result failed' : 'result' }, resultText(e))] : []));
    this.fields.replaceChildren(...decodedFields(e).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    this.stack.show(e);
    this.raw.textContent = JSON.stringify(e, null, 2);
  }

  get event(): LensEvent | null { return this.current; }
}
