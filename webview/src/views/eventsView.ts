/*
 * The live events table: filter box, kind toggles, follow/pause, sortable
 * columns, a virtualized row area (fixed row height, recycled rows, drawn at
 * most once per frame) and a detail pane with the decoded record.
 */
import { GROUPS } from '../../../remote-agent/src/model/event-model';
import { lossReasonsText } from '../../../remote-agent/src/loss-reasons';
import type { LensEvent, SessionStats } from '../../../remote-agent/src/protocol';
import type { Host } from '../host';
import { eventKey, type DebugStepMark, type SessionInfo, type ToWebview } from '../messages';
import { stepAt, stepLabel, stepRange } from '../model/debugSteps';
import { EventStore } from '../model/eventStore';
import { formatTime, GROUP_NAMES, isError, KIND_GROUPS, type KindGroup, kindGroup, resultText } from '../model/eventText';
import { type CompiledFilter, FILTER_FIELDS, MATCH_ALL, parseFilter } from '../model/filter';
import { SORT_COLUMNS, type SortColumn, type SortSpec, TableIndex } from '../model/tableIndex';
import { contentHeight, scrollToEnd, scrollToReveal, visibleWindow } from '../model/virtualWindow';
import { fmtCount, FrameScheduler, h } from '../ui/dom';
import { DetailPane } from './detailPane';
import { baseName, location } from './stackPane';
import type { View } from './view';

const ROW_HEIGHT = 22;
/** Redraw pacing while following: ~20 redraws/s, ~10/s when more than FAST_STREAM events arrive between two. */
const FOLLOW_REDRAW_MS = 50;
const FAST_FOLLOW_REDRAW_MS = 100;
const FAST_STREAM = 500;
const OVERSCAN = 8;

const COLUMN_TITLES: Record<SortColumn, string> = {
  time: 'Time', pid: 'PID', comm: 'Process', kind: 'Kind', summary: 'Summary', source: 'Source', result: 'Result',
};

interface SavedState {
  filter: string;
  hiddenGroups: KindGroup[];
  sort: SortSpec;
  follow: boolean;
}

interface RowEl {
  el: HTMLElement;
  cells: HTMLElement[];
  seq: number;
  display: number;
  selected: boolean;
}

/** The syntax card shown under the filter box (fields listed from the parser's own table). */
function filterHelp(): HTMLElement {
  const examples: Array<[string, string]> = [
    ['kind:open path:*.env', 'opens of any .env file'],
    ['-comm:node kind:net', 'network events of everything but node'],
    ['ret:<0 errno:ENOENT,EACCES', 'failures with either errno'],
    ['pid:100..200 dur:>1ms', 'slow syscalls of a pid range'],
    ['"connection refused"', 'free text, anywhere in the row'],
  ];
  return h('div', { id: 'filter-help', class: 'filter-help', hidden: true },
    h('p', {}, 'Terms are separated by spaces and all must match. ', h('code', {}, '-'), ' negates a term, ',
      h('code', {}, 'a,b'), ' matches either, ', h('code', {}, '*'), ' and ', h('code', {}, '?'), ' are wildcards (text matches the whole value, ignoring case), numbers take ',
      h('code', {}, '<'), ' ', h('code', {}, '<='), ' ', h('code', {}, '>'), ' ', h('code', {}, '>='), ' and ', h('code', {}, 'N..M'), '; a word without a field searches the row.'),
    h('dl', { class: 'filter-help-examples' }, ...examples.flatMap(([q, what]) => [h('dt', {}, h('code', {}, q)), h('dd', {}, what)])),
    h('dl', { class: 'filter-help-fields' }, ...Object.entries(FILTER_FIELDS).flatMap(([name, spec]) => [h('dt', {}, h('code', {}, name)), h('dd', {}, spec.help)])));
}

/** Mount the events table view. */
export function createEventsView(root: HTMLElement, host: Host): View {
  return new EventsView(root, host);
}

class EventsView implements View {
  private readonly store = new EventStore();
  private filter: CompiledFilter = MATCH_ALL;
  private readonly index: TableIndex;
  private hiddenGroups = new Set<KindGroup>();
  private timeRange: { from: number; to: number } | null = null;
  /** the steps of a traced debug run: each stop is marked in the table, and the table can show one step */
  private steps: DebugStepMark[] = [];
  private follow = true;
  /** new events may still arrive (a running session): only then is there anything to follow */
  private live = true;
  private selectedSeq = -1;
  private readonly groupCounts = new Map<KindGroup, number>();
  private lost = 0;
  /** set when the probe died with events queued (SessionStats.lostBound) */
  private lostBound: SessionStats['lostBound'];
  /** the session ended by a dropped link to its remote host: what is missing was missed there, not lost by a dying probe */
  private linkDropped = false;
  /** the loss by reason, e.g. "client not reading 5k" */
  private lostWhy = '';
  private programmaticScroll = false;
  private readonly pool: RowEl[] = [];
  private countsAt = 0;
  private lastRender = 0;
  private deferred = false;
  private arrivedSinceRender = 0;
  /** false when something other than new events asked for this redraw */
  private onlyNewEvents = false;
  /** height of the viewport below its sticky header row: where rows show */
  private viewportHeight = 0;
  private spacerHeight = -1;
  private ariaRowCount = -1;
  private countsTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly scheduler = new FrameScheduler(() => this.render());

  private readonly filterInput: HTMLElement & { value: string };
  private readonly filterError: HTMLElement;
  private readonly followButton: HTMLElement;
  private readonly countsLabel: HTMLElement;
  private readonly lostLabel: HTMLElement;
  private readonly rangeChip: HTMLElement;
  private readonly rangeLabel: HTMLElement;
  private readonly stepSelect: HTMLSelectElement;
  private readonly groupBoxes = new Map<KindGroup, { box: HTMLElement & { checked: boolean }; badge: HTMLElement }>();
  private readonly headerCells = new Map<SortColumn, HTMLElement>();
  private readonly header: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowsLayer: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly detail: DetailPane;

  constructor(root: HTMLElement, private readonly host: Host) {
    const saved = host.loadState<SavedState>('events');
    this.follow = saved.follow ?? true;
    this.hiddenGroups = new Set((saved.hiddenGroups ?? []).filter((g) => (GROUP_NAMES as string[]).includes(g)));

    this.filterInput = h('vscode-text-field', {
      id: 'filter', placeholder: 'Filter: kind:open path:*.env -comm:node ret:<0 "text"', 'aria-label': 'Filter events',
      'aria-describedby': 'filter-error',
    }) as HTMLElement & { value: string };
    this.filterError = h('div', { id: 'filter-error', class: 'filter-error', role: 'alert', hidden: true });
    this.followButton = h('vscode-button', { id: 'follow', appearance: 'secondary', 'aria-pressed': 'true' });
    this.countsLabel = h('span', { id: 'event-counts', class: 'counts', 'aria-live': 'off' });
    this.lostLabel = h('span', { id: 'lost-count', class: 'lost', hidden: true });
    this.rangeLabel = h('span', { class: 'range-label' });
    const clearRange = h('vscode-button', { id: 'clear-range', appearance: 'icon', 'aria-label': 'Clear time range', title: 'Clear time range' }, '×');
    this.rangeChip = h('span', { id: 'time-range', class: 'range-chip', hidden: true }, this.rangeLabel, clearRange);
    this.stepSelect = h('select', { id: 'step-select', class: 'step-select', 'aria-label': 'Debug step', title: 'Show the events of one step of the debug session', hidden: true }) as HTMLSelectElement;
    this.stepSelect.addEventListener('change', () => {
      const step = this.steps.find((st) => String(st.index) === this.stepSelect.value);
      const range = step ? stepRange(step) : null;
      this.setTimeRange(range);
      host.post(range ? { type: 'timeRange', ...range } : { type: 'timeRange', from: null, to: null });
    });

    const kinds = h('div', { class: 'kinds', role: 'group', 'aria-label': 'Event kinds' });
    for (const g of GROUP_NAMES) {
      // A plain span, not <vscode-badge>: that component binds a style attribute, which a strict CSP blocks.
      const badge = h('span', { class: 'count-badge kind-count' }, '0');
      const box = h('vscode-checkbox', { 'data-group': g, class: `kind-toggle group-${g}`, title: `Show ${GROUPS[g].title} events` },
        h('span', { class: 'swatch' }), GROUPS[g].title, ' ', badge) as HTMLElement & { checked: boolean };
      box.checked = !this.hiddenGroups.has(g);
      if (box.checked) box.setAttribute('checked', '');
      box.addEventListener('change', () => {
        if (box.checked === !this.hiddenGroups.has(g)) return;
        if (box.checked) this.hiddenGroups.delete(g); else this.hiddenGroups.add(g);
        this.applyScope();
      });
      this.groupBoxes.set(g, { box, badge });
      kinds.append(box);
    }

    this.header = h('div', { class: 'row header', role: 'row' });
    for (const c of SORT_COLUMNS) {
      const cell = h('div', { role: 'columnheader', class: `cell col-${c}`, 'data-sort': c, tabindex: 0, title: `Sort by ${COLUMN_TITLES[c]}` }, COLUMN_TITLES[c]);
      cell.addEventListener('click', () => this.toggleSort(c));
      cell.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); this.toggleSort(c); } });
      this.headerCells.set(c, cell);
      this.header.append(cell);
    }
    this.spacer = h('div', { class: 'spacer' });
    this.rowsLayer = h('div', { class: 'rows', role: 'rowgroup' });
    this.empty = h('div', { class: 'empty', id: 'events-empty' }, 'Waiting for events…');
    // The header row scrolls with the rows (sticky at the top): one container gives both the
    // same width whatever the scrollbar, so their columns line up, horizontally scrolled too.
    this.viewport = h('div', { class: 'viewport', tabindex: 0 }, this.header, this.spacer, this.rowsLayer, this.empty);
    this.grid = h('div', { id: 'events-table', class: 'events-table', role: 'grid', 'aria-label': 'Events', 'aria-rowcount': 0 }, this.viewport);
    this.detail = new DetailPane(host, () => this.selectedSeq >= 0 && this.store.has(this.selectedSeq) ? this.store.event(this.selectedSeq) : null);

    const helpButton = h('vscode-button', { id: 'filter-help-toggle', appearance: 'icon', 'aria-label': 'Filter syntax', title: 'Filter syntax', 'aria-expanded': 'false' }, '?');
    const help = filterHelp();
    helpButton.addEventListener('click', () => {
      help.hidden = !help.hidden;
      helpButton.setAttribute('aria-expanded', String(!help.hidden));
    });
    root.classList.add('view-events');
    root.append(
      h('div', { class: 'toolbar' }, this.filterInput, helpButton, this.followButton, this.stepSelect, this.rangeChip, this.countsLabel, this.lostLabel),
      this.filterError,
      help,
      kinds,
      h('div', { class: 'split' }, this.grid, this.detail.element),
    );
    // The toolkit's checkbox names itself by its text when connected ("Process 0"): name it properly now and on every count.
    this.updateKindLabels();

    this.filterInput.addEventListener('input', () => this.setFilter(this.filterInput.value));
    this.followButton.addEventListener('click', () => this.setFollow(!this.follow));
    clearRange.addEventListener('click', () => {
      this.setTimeRange(null);
      host.post({ type: 'timeRange', from: null, to: null });
    });
    this.viewport.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.viewport.addEventListener('keydown', (ev) => this.onKey(ev));
    this.rowsLayer.addEventListener('click', (ev) => {
      // the Source cell opens the file at the line (the row is not selected by it)
      const src = (ev.target as HTMLElement).closest<HTMLElement>('.source-link');
      if (src?.dataset.file) {
        ev.preventDefault();
        host.post({ type: 'reveal', file: src.dataset.file, line: Number(src.dataset.line) || 1 });
        return;
      }
      const row = (ev.target as HTMLElement).closest<HTMLElement>('[role=row]');
      if (row?.dataset.seq) this.select(Number(row.dataset.seq), true);
    });
    new ResizeObserver((entries) => {
      this.viewportHeight = entries[entries.length - 1].contentRect.height - this.header.offsetHeight;
      this.redraw();
    }).observe(this.viewport);

    this.index = new TableIndex(this.store, this.filter, saved.sort && SORT_COLUMNS.includes(saved.sort.column) ? saved.sort : undefined, this.scope());
    if (saved.filter) {
      this.filterInput.value = saved.filter;
      this.setFilter(saved.filter);
    }
    this.updateFollowButton();
    this.updateHeader();
    this.redraw();
  }

  handle(msg: ToWebview): void {
    switch (msg.type) {
      case 'events': this.append(msg.events); break;
      case 'init': this.setSession(msg.session); break;
      case 'reset': this.reset(); this.setSession(msg.session); break;
      case 'state': this.setSession(msg.session); break;
      case 'select': {
        const seq = this.store.findKey(msg.key, eventKey);
        if (seq >= 0) {
          this.setFollow(false);
          this.select(seq, false);
        }
        break;
      }
      case 'timeRange': this.setTimeRange(msg.from === null ? null : { from: msg.from, to: msg.to }); break;
      case 'stats': this.setStats(msg.stats); break;
      case 'filter': this.showFilter(msg.text); break;
      case 'steps': this.setSteps(msg.steps); break;
      default: break;
    }
  }

  private append(events: LensEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) {
      const g = kindGroup(e.kind);
      this.groupCounts.set(g, (this.groupCounts.get(g) ?? 0) + 1);
    }
    const { from, to, trimmed } = this.store.append(events);
    if (trimmed) this.index.trimmed();
    this.index.added(from, to);
    this.arrivedSinceRender += events.length;
    this.scheduler.request();
  }

  /** Another session (or the same one from the start): nothing of the previous one's view applies, its time range included. */
  private reset(): void {
    this.store.clear();
    this.groupCounts.clear();
    this.selectedSeq = -1;
    this.lost = 0;
    this.lostBound = undefined;
    this.lostWhy = '';
    this.steps = [];
    this.stepSelect.hidden = true;
    this.setTimeRange(null);
    this.detail.show(null);
    this.redraw();
  }

  /** The debug run's steps changed (a stop, a continue): the step picker and the stop marks follow. */
  private setSteps(steps: DebugStepMark[]): void {
    this.steps = steps;
    this.stepSelect.hidden = steps.length === 0;
    const chosen = this.stepSelect.value;
    this.stepSelect.replaceChildren(h('option', { value: '' }, 'All steps'), ...steps.map((st) => h('option', { value: String(st.index) }, stepLabel(st))));
    this.stepSelect.value = steps.some((st) => String(st.index) === chosen) ? chosen : '';
    for (const row of this.pool) row.seq = -1; // boundaries move: every row is filled again
    this.redraw();
  }

  /** Follow/Pause only while the session can still send events; an ended one or a file has nothing to follow. */
  private setSession(session: SessionInfo | null): void {
    const live = session !== null && !session.fromFile && (session.state === 'starting' || session.state === 'running');
    const linkDropped = session?.state === 'disconnected';
    if (linkDropped !== this.linkDropped) {
      this.linkDropped = linkDropped;
      this.redraw();
    }
    if (live === this.live) return;
    this.live = live;
    this.followButton.hidden = !live;
    this.redraw();
  }

  private setStats(stats: SessionStats): void {
    this.lost = stats.lostTotal;
    this.lostBound = stats.lostBound;
    this.lostWhy = lossReasonsText(stats.lostReasons, fmtCount);
    this.redraw();
  }

  private scope() {
    const hiddenKinds = new Set<string>();
    for (const g of this.hiddenGroups) for (const k of KIND_GROUPS[g]) hiddenKinds.add(k);
    return { hiddenKinds, timeFrom: this.timeRange?.from ?? null, timeTo: this.timeRange?.to ?? null };
  }

  private applyScope(): void {
    this.index.setScope(this.scope());
    this.save();
    this.redraw();
  }

  private setFilter(text: string): void {
    const parsed = parseFilter(text);
    if (!parsed.ok) {
      const { message, position, length } = parsed.error;
      this.filterError.replaceChildren(
        h('span', { class: 'filter-error-message' }, message, h('span', { class: 'filter-error-note' }, ' — the table still shows the last valid filter.')),
        h('code', { class: 'filter-error-source' },
          text.slice(0, position), h('mark', {}, text.slice(position, position + length) || ' '), text.slice(position + length)),
      );
      this.filterError.hidden = false;
      this.filterInput.setAttribute('aria-invalid', 'true');
      this.filterInput.classList.add('invalid');
      return;
    }
    this.filterError.hidden = true;
    this.filterInput.removeAttribute('aria-invalid');
    this.filterInput.classList.remove('invalid');
    this.filter = parsed.filter;
    this.index.setFilter(this.filter);
    this.save();
    this.redraw();
  }

  /** A filter sent by the extension (Show Events for This Line, a click in another view): shown in the box and applied. */
  private showFilter(text: string): void {
    this.filterInput.value = text;
    this.setFilter(text);
    this.setFollow(false);
  }

  private setTimeRange(range: { from: number; to: number } | null): void {
    this.timeRange = range;
    this.rangeChip.hidden = range === null;
    const step = range ? this.steps.find((st) => st.from === range.from && stepRange(st).to === range.to) : undefined;
    if (range) this.rangeLabel.textContent = step ? stepLabel(step) : `${formatTime(range.from)} – ${formatTime(range.to)}`;
    if (this.stepSelect.value !== (step ? String(step.index) : '')) this.stepSelect.value = step ? String(step.index) : '';
    this.applyScope();
  }

  private setFollow(follow: boolean): void {
    if (this.follow === follow) return;
    this.follow = follow;
    this.updateFollowButton();
    this.save();
    this.redraw();
  }

  private updateFollowButton(): void {
    this.followButton.textContent = this.follow ? 'Pause' : 'Follow';
    this.followButton.setAttribute('aria-pressed', String(this.follow));
    this.followButton.title = this.follow ? 'Stop scrolling to new events' : 'Scroll to new events as they arrive';
  }

  private toggleSort(column: SortColumn): void {
    const cur = this.index.sortSpec;
    const sort: SortSpec = cur.column === column ? { column, descending: !cur.descending } : { column, descending: false };
    this.index.setSort(sort);
    this.updateHeader();
    this.save();
    if (this.selectedSeq >= 0) this.reveal(this.selectedSeq);
    this.redraw();
  }

  private updateHeader(): void {
    const { column, descending } = this.index.sortSpec;
    for (const [c, cell] of this.headerCells) {
      const active = c === column;
      cell.setAttribute('aria-sort', active ? (descending ? 'descending' : 'ascending') : 'none');
      cell.classList.toggle('sorted', active);
      cell.classList.toggle('descending', active && descending);
    }
  }

  private save(): void {
    this.host.saveState('events', {
      filter: this.filterInput.value ?? '', hiddenGroups: [...this.hiddenGroups], sort: this.index.sortSpec, follow: this.follow,
    } satisfies SavedState);
  }

  private onScroll(): void {
    if (this.programmaticScroll) {
      this.programmaticScroll = false;
    } else {
      const atEnd = this.viewport.scrollTop >= scrollToEnd(this.index.length, ROW_HEIGHT, this.rowsHeight()) - 2;
      // Scrolling away from the newest rows pauses following; scrolling back resumes it.
      if (this.follow !== atEnd && !(this.index.sortSpec.descending)) this.setFollow(atEnd);
    }
    this.redraw();
  }

  private onKey(ev: KeyboardEvent): void {
    const n = this.index.length;
    if (n === 0) return;
    const page = Math.max(1, Math.floor(this.rowsHeight() / ROW_HEIGHT) - 1);
    const cur = this.selectedSeq >= 0 ? this.index.indexOf(this.selectedSeq) : -1;
    let next: number;
    switch (ev.key) {
      case 'ArrowDown': next = cur + 1; break;
      case 'ArrowUp': next = cur < 0 ? n - 1 : cur - 1; break;
      case 'PageDown': next = cur + page; break;
      case 'PageUp': next = cur - page; break;
      case 'Home': next = 0; break;
      case 'End': next = n - 1; break;
      default: return;
    }
    ev.preventDefault();
    next = Math.min(n - 1, Math.max(0, next));
    this.setFollow(false);
    this.select(this.index.seqAt(next), true);
  }

  private select(seq: number, fromUser: boolean): void {
    if (!this.store.has(seq)) return;
    // A selected row stays put: following would scroll it away.
    if (fromUser) this.setFollow(false);
    this.selectedSeq = seq;
    const e = this.store.event(seq);
    this.detail.show(e);
    this.reveal(seq);
    if (fromUser) this.host.post({ type: 'select', key: eventKey(e), event: e });
    this.redraw();
  }

  /** Height of the viewport below its sticky header row, read now (the scroll handlers' geometry). */
  private rowsHeight(): number {
    return this.viewport.clientHeight - this.header.offsetHeight;
  }

  private reveal(seq: number): void {
    const i = this.index.indexOf(seq);
    if (i < 0) return;
    const top = scrollToReveal(i, { scrollTop: this.viewport.scrollTop, viewportHeight: this.rowsHeight(), rowHeight: ROW_HEIGHT, rowCount: this.index.length });
    if (top !== null) {
      this.programmaticScroll = true;
      this.viewport.scrollTop = top;
    }
  }

  private render(): void {
    const now = performance.now();
    // While following a fast stream, ~20 redraws a second are plenty: leave the rest of each
    // frame to receiving events. Anything the user does redraws on the next frame.
    const pace = this.arrivedSinceRender > FAST_STREAM ? FAST_FOLLOW_REDRAW_MS : FOLLOW_REDRAW_MS;
    if (this.follow && this.onlyNewEvents && now - this.lastRender < pace) {
      if (!this.deferred) {
        this.deferred = true;
        setTimeout(() => { this.deferred = false; this.redraw(); }, pace - (now - this.lastRender));
      }
      return;
    }
    this.arrivedSinceRender = 0;
    this.lastRender = now;
    this.onlyNewEvents = true;
    this.index.flush();
    const total = this.index.length;
    const vh = this.viewportHeight;
    // Geometry is read once, before any write, so a frame costs one layout.
    let scrollTop = this.viewport.scrollTop;
    const height = contentHeight(total, ROW_HEIGHT);
    if (height !== this.spacerHeight) {
      this.spacerHeight = height;
      this.spacer.style.height = `${height}px`;
    }
    if (this.follow) {
      const end = this.index.sortSpec.descending ? 0 : scrollToEnd(total, ROW_HEIGHT, vh);
      if (Math.abs(scrollTop - end) > 1) {
        this.programmaticScroll = true;
        this.viewport.scrollTop = end;
        scrollTop = end;
      }
    }
    const win = visibleWindow({ scrollTop, viewportHeight: vh, rowHeight: ROW_HEIGHT, rowCount: total, overscan: OVERSCAN });
    this.rowsLayer.style.transform = `translateY(${win.offsetY}px)`;
    const needed = win.end - win.first;
    while (this.pool.length < needed) this.pool.push(this.makeRow());
    for (let i = 0; i < this.pool.length; i++) {
      const row = this.pool[i];
      if (i >= needed) {
        if (row.seq !== -1) { row.el.hidden = true; row.seq = -1; }
        continue;
      }
      const display = win.first + i;
      this.fillRow(row, this.index.seqAt(display), display);
    }
    if (total + 1 !== this.ariaRowCount) {
      this.ariaRowCount = total + 1;
      this.grid.setAttribute('aria-rowcount', String(total + 1));
    }
    const emptyText = total > 0 ? '' : this.store.length === 0 ? 'Waiting for events…' : 'No events match the filter, kinds and time range.';
    if (this.empty.textContent !== emptyText) {
      this.empty.textContent = emptyText;
      this.empty.hidden = total > 0;
    }
    this.updateCounts(total);
  }

  /** Redraw on the next frame without the follow-mode pacing (the user did something). */
  private redraw(): void {
    this.onlyNewEvents = false;
    this.scheduler.request();
  }

  private makeRow(): RowEl {
    const cells = SORT_COLUMNS.map((c) => h('div', { role: 'gridcell', class: `cell col-${c}` }));
    const el = h('div', { role: 'row', class: 'row' }, ...cells);
    this.rowsLayer.append(el);
    return { el, cells, seq: -1, display: -1, selected: false };
  }

  private fillRow(row: RowEl, seq: number, display: number): void {
    const selected = seq === this.selectedSeq;
    if (row.display !== display) {
      row.display = display;
      row.el.setAttribute('aria-rowindex', String(display + 2));
      row.seq = -1; // its neighbours changed: the step boundary is drawn again
    }
    if (row.seq === seq && row.selected === selected) return;
    if (row.seq !== seq) this.markStep(row, seq, display);
    if (row.seq !== seq) {
      const e = this.store.event(seq);
      row.seq = seq;
      row.el.hidden = false;
      row.el.dataset.seq = String(seq);
      row.el.dataset.kind = e.kind;
      row.el.dataset.group = kindGroup(e.kind);
      row.el.classList.toggle('failed', isError(e));
      // a finding stands out: its row is marked with its priority's colour (styles.css)
      row.el.classList.toggle('finding', e.kind === 'finding');
      if (e.kind === 'finding') row.el.dataset.priority = e.priority;
      else delete row.el.dataset.priority;
      row.cells[0].textContent = formatTime(e.ts);
      row.cells[1].textContent = String(e.pid);
      row.cells[2].textContent = e.comm;
      row.cells[3].textContent = e.kind;
      const summary = this.store.summary(seq);
      row.cells[4].textContent = summary;
      row.cells[4].title = summary;
      this.fillSource(row.cells[5], e);
      row.cells[6].textContent = resultText(e);
    }
    row.selected = selected;
    row.el.classList.toggle('selected', selected);
    row.el.setAttribute('aria-selected', String(selected));
  }

  /**
   * Marks the row where the debugger stopped: its event is in another step than the row above it
   * (the first event after a stop, in the table's order).
   */
  private markStep(row: RowEl, seq: number, display: number): void {
    let mark = '';
    if (this.steps.length > 1 && display > 0) {
      const step = stepAt(this.steps, this.store.event(seq).ts);
      const above = stepAt(this.steps, this.store.event(this.index.seqAt(display - 1)).ts);
      if (step !== above) {
        const stopped = [step, above].filter((st) => st !== undefined).sort((a, b) => a.index - b.index)[0];
        mark = stopped?.stoppedAt !== undefined ? `Debugger stopped here (${stopped.reason ?? 'pause'}, end of step ${stopped.index}); step ${stopped.index + 1} follows` : '';
      }
    }
    row.el.classList.toggle('step-stop', mark !== '');
    if (mark) row.el.title = mark;
    else row.el.removeAttribute('title');
  }

  /** The Source cell: the source file's name and line as a link (its path in the tooltip), or empty. */
  private fillSource(cell: HTMLElement, e: LensEvent): void {
    const src = e.source;
    if (!src) {
      if (cell.firstChild) cell.replaceChildren();
      cell.removeAttribute('title');
      return;
    }
    const link = h('a', { href: '#', class: 'source-link', 'data-file': src.file, 'data-line': String(src.line) },
      location(baseName(src.file), src.line));
    cell.replaceChildren(link);
    cell.title = `${location(src.file, src.line, src.column)}${src.function ? ` in ${src.function}` : ''} — click to open`;
  }

  private updateKindLabels(): void {
    for (const [g, { box, badge }] of this.groupBoxes) {
      const t = fmtCount(this.groupCounts.get(g) ?? 0);
      if (badge.textContent !== t) badge.textContent = t;
      const label = `${GROUPS[g].title} events (${t})`;
      if (box.getAttribute('aria-label') !== label) box.setAttribute('aria-label', label);
    }
  }

  private updateCounts(shown: number): void {
    // Counts change every batch; a few refreshes a second are enough to read them.
    const now = performance.now();
    if (now - this.countsAt < 250 && shown !== 0) {
      this.countsTimer ??= setTimeout(() => { this.countsTimer = undefined; this.countsAt = 0; this.redraw(); }, 260);
      return;
    }
    this.countsAt = now;
    const held = this.store.length;
    let text = `${fmtCount(shown)} of ${fmtCount(held)} events`;
    if (this.store.dropped) text += ` (${fmtCount(this.store.dropped)} older ones are only in the session file)`;
    if (this.countsLabel.textContent !== text) this.countsLabel.textContent = text;
    this.updateKindLabels();
    this.lostLabel.hidden = this.lost === 0 && !this.lostBound;
    const why = this.lostWhy ? ` (${this.lostWhy})` : '';
    const cause = this.linkDropped ? 'the link to the host dropped' : 'the probe died';
    if (this.lostBound === 'unknown') this.lostLabel.textContent = this.linkDropped ? 'events may have been missed when the link to the host dropped (how many is unknown)' : 'events lost when the probe died (how many is unknown)';
    else if (this.lostBound) this.lostLabel.textContent = `≥${fmtCount(this.lost)} lost${why || ` (${cause})`}`;
    else if (this.lost) this.lostLabel.textContent = `${fmtCount(this.lost)} lost${why}`;
  }
}
