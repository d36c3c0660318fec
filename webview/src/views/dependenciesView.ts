/*
 * Dependencies view: per package (node_modules/<name>, site-packages/<name>,
 * a native library by soname), the events its code caused, counted per kind
 * (packages on an event's stack, remote-agent/src/model/packages.ts), most
 * active first. A package expands to its latest events (each opens the
 * event's source); "Show in events view" filters the table by `pkg:`;
 * Export writes the table as JSON or CSV (the extension's export).
 */
import { DependencyIndex, kindCountsText, type DependencyRow } from '../../../remote-agent/src/model/dependencies';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import type { Host } from '../host';
import type { ToWebview } from '../messages';
import { formatTime, kindGroup, summarize } from '../model/eventText';
import { filterTerm } from '../model/filter';
import { fmtCount, h } from '../ui/dom';
import { Throttle } from '../ui/throttle';
import { baseName, location } from './stackPane';
import type { View } from './view';

/** Latest events kept per package for the expanded rows. */
const EVENTS_PER_PACKAGE = 50;
const ECOSYSTEM: Record<DependencyRow['kind'], string> = { node: 'npm', python: 'Python', native: 'native library' };

/** Mount the Dependencies view. */
export function createDependenciesView(root: HTMLElement, host: Host): View {
  return new DependenciesView(root, host);
}

class DependenciesView implements View {
  private readonly index = new DependencyIndex(EVENTS_PER_PACKAGE);
  private events = 0;
  /** `${kind}:${name}` of the expanded packages */
  private readonly expanded = new Set<string>();
  private readonly body: HTMLElement;
  private readonly count: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly throttle = new Throttle(() => this.render(), 250);

  constructor(root: HTMLElement, private readonly host: Host) {
    this.count = h('span', { class: 'counts', id: 'deps-count' });
    const exportButton = h('vscode-button', { id: 'deps-export', appearance: 'secondary', title: 'Export this table as JSON or CSV' }, 'Export…');
    exportButton.addEventListener('click', () => host.post({ type: 'exportDependencies' }));
    this.body = h('tbody', { class: 'deps-body' });
    this.empty = h('div', { class: 'empty static', id: 'deps-empty' });
    const head = h('tr', {}, ...['Package', 'From', 'Events', 'What its code did'].map((t, i) => h('th', { scope: 'col', class: i === 2 ? 'num' : '' }, t)));
    root.classList.add('view-dependencies');
    root.append(
      h('div', { class: 'toolbar' }, exportButton, this.count),
      h('div', { class: 'deps-scroll' }, h('table', { class: 'deps-table', id: 'deps-table', 'aria-label': 'Dependencies and the events their code caused' }, h('thead', {}, head), this.body), this.empty),
    );
    this.body.addEventListener('click', (ev) => this.onClick(ev));
    this.throttle.request();
  }

  handle(msg: ToWebview): void {
    if (msg.type === 'events') {
      this.events += msg.events.length;
      this.index.add(msg.events);
      this.throttle.request();
    }
    if (msg.type === 'reset') {
      this.index.clear();
      this.events = 0;
      this.expanded.clear();
      this.throttle.request();
    }
  }

  private onClick(ev: MouseEvent): void {
    const target = ev.target as HTMLElement;
    const src = target.closest<HTMLElement>('.source-link');
    if (src?.dataset.file) {
      ev.preventDefault();
      this.host.post({ type: 'reveal', file: src.dataset.file, line: Number(src.dataset.line) || 1 });
      return;
    }
    const show = target.closest<HTMLElement>('.deps-show');
    if (show?.dataset.name) {
      ev.preventDefault();
      this.host.post({ type: 'showEvents', filter: filterTerm('pkg', show.dataset.name) });
      return;
    }
    const toggle = target.closest<HTMLElement>('.deps-toggle');
    if (toggle?.dataset.id) {
      if (this.expanded.has(toggle.dataset.id)) this.expanded.delete(toggle.dataset.id); else this.expanded.add(toggle.dataset.id);
      this.render();
    }
  }

  private render(): void {
    const rows = this.index.rows();
    const stacked = this.index.withStacks;
    this.count.textContent = `${fmtCount(rows.length)} package${rows.length === 1 ? '' : 's'}; ${fmtCount(stacked)} of ${fmtCount(this.events)} events have a stack`;
    this.empty.hidden = rows.length > 0;
    this.empty.textContent = this.events === 0
      ? 'No events yet.'
      : stacked === 0
        ? 'No event has a stack: trace with stacks to see which dependencies cause events.'
        : 'No dependency is on any event\'s stack: the events came from your own code, the runtime or the standard library.';
    this.body.replaceChildren(...rows.flatMap((r) => this.row(r)));
  }

  private row(r: DependencyRow): HTMLElement[] {
    const id = `${r.kind}:${r.name}`;
    const open = this.expanded.has(id);
    const main = h('tr', { class: 'deps-row', 'data-package': r.name, 'data-kind': r.kind },
      h('td', {}, h('button', { class: 'deps-toggle', 'data-id': id, 'aria-expanded': String(open), title: open ? 'Hide its events' : 'Show its latest events' }, open ? '▾' : '▸'),
        ' ', h('span', { class: 'deps-name' }, r.name)),
      h('td', { class: 'deps-from' }, ECOSYSTEM[r.kind]),
      h('td', { class: 'num' }, fmtCount(r.total)),
      h('td', { class: 'deps-what' }, kindCountsText(r.byKind), ' ', h('a', { href: '#', class: 'deps-show', 'data-name': r.name, title: `Show the events view filtered by ${filterTerm('pkg', r.name)}` }, 'Show in events view')));
    if (!open) return [main];
    const recent = this.index.recent(r.kind, r.name);
    const more = r.total - recent.length;
    const list = h('ol', { class: 'deps-events', reversed: true },
      ...[...recent].reverse().map((e) => this.eventLine(e)));
    return [main, h('tr', { class: 'deps-detail' }, h('td', { colspan: 4 }, list,
      ...(more > 0 ? [h('p', { class: 'deps-more' }, `and ${fmtCount(more)} earlier (Show in events view lists them all)`)] : [])))];
  }

  private eventLine(e: LensEvent): HTMLElement {
    const src = e.source;
    return h('li', { class: 'deps-event' },
      h('span', { class: 'deps-time' }, formatTime(e.ts)), ' ',
      h('span', { class: `kind-label group-${kindGroup(e.kind)}` }, e.kind), ' ', summarize(e), ' · ', `${e.comm} (${e.pid})`,
      ...(src ? [' · ', h('a', { href: '#', class: 'source-link', 'data-file': src.file, 'data-line': String(src.line), title: location(src.file, src.line, src.column) }, location(baseName(src.file), src.line))] : []));
  }
}
