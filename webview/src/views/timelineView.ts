/*
 * Timeline view: one lane per process, events as marks coloured by kind
 * (drawn on a canvas, so 100k marks stay cheap), a time axis, a d3 brush to
 * zoom in (the chosen range is posted so the events table narrows to it) and
 * click-to-select linked with the table.
 */
import { axisTop, brushX, pointer, scaleTime, select, type D3BrushEvent } from 'd3';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import type { Host } from '../host';
import { eventKey, type ToWebview } from '../messages';
import { GROUPS } from '../../../remote-agent/src/model/event-model';
import { formatTime, GROUP_NAMES, type KindGroup } from '../model/eventText';
import { lowerBound, TimelineModel } from '../model/timelineLanes';
import { fmtCount, h } from '../ui/dom';
import { Throttle } from '../ui/throttle';
import type { View } from './view';

const LANE = 22;
const MARK_H = 14;
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Mount the timeline view. */
export function createTimelineView(root: HTMLElement, host: Host): View {
  return new TimelineView(root, host);
}

class TimelineView implements View {
  private readonly model = new TimelineModel();
  private domain: [number, number] | null = null;
  /** the selected event; its lane is looked up by pid, since lanes can be dropped */
  private selected: LensEvent | null = null;
  private readonly labels: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly overlay: SVGSVGElement;
  private readonly axis: SVGSVGElement;
  private readonly plot: HTMLElement;
  private readonly rangeLabel: HTMLElement;
  private readonly count: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly brush = brushX<unknown>();
  private readonly throttle = new Throttle(() => this.render(), 250);
  private colours: string[] = [];
  private selectColour = '';

  constructor(root: HTMLElement, private readonly host: Host) {
    const reset = h('vscode-button', { appearance: 'secondary', id: 'reset-zoom' }, 'Show all');
    reset.addEventListener('click', () => this.setDomain(null, true));
    this.rangeLabel = h('span', { class: 'range-label', id: 'timeline-range' });
    this.count = h('span', { class: 'counts', id: 'timeline-count' });
    const legend = h('span', { class: 'legend' }, ...GROUP_NAMES.map((g) => h('span', { class: `legend-item group-${g}` }, h('span', { class: 'dot' }), GROUPS[g].title)));
    this.labels = h('div', { class: 'lane-labels', role: 'list', 'aria-label': 'Processes' });
    this.canvas = h('canvas', { class: 'timeline-canvas', 'aria-hidden': 'true' });
    this.overlay = document.createElementNS(SVG_NS, 'svg');
    this.overlay.setAttribute('class', 'timeline-overlay');
    this.overlay.setAttribute('aria-label', 'Drag to zoom into a time range; click a mark to select its event');
    this.axis = document.createElementNS(SVG_NS, 'svg');
    this.axis.setAttribute('class', 'timeline-axis');
    this.plot = h('div', { class: 'timeline-plot' }, this.canvas, this.overlay);
    this.empty = h('div', { class: 'empty static' }, 'No events yet.');
    root.classList.add('view-timeline');
    root.append(
      h('div', { class: 'toolbar' }, reset, this.rangeLabel, legend, this.count),
      h('div', { class: 'timeline-head' }, h('div', { class: 'lane-labels-head' }, 'Process'), this.axis),
      h('div', { class: 'timeline-body' }, this.empty, this.labels, this.plot),
    );
    this.brush.on('end', (ev: D3BrushEvent<unknown>) => this.onBrush(ev));
    select(this.overlay).append('g').attr('class', 'brush').call(this.brush as never);
    new ResizeObserver(() => this.throttle.request()).observe(this.plot);
    // Theme changes swap the body's class: re-read the colours.
    new MutationObserver(() => { this.colours = []; this.throttle.request(); }).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
    this.throttle.request();
  }

  handle(msg: ToWebview): void {
    switch (msg.type) {
      case 'events': this.model.addEvents(msg.events); this.throttle.request(); break;
      case 'reset': this.model.clear(); this.selected = null; this.domain = null; this.throttle.request(); break;
      case 'timeRange': this.setDomain(msg.from === null ? null : [msg.from, msg.to], false); break;
      case 'select': {
        const found = this.model.find(msg.key, eventKey);
        this.selected = found?.event ?? null;
        if (found) this.labels.children[found.lane]?.scrollIntoView({ block: 'nearest' });
        this.throttle.request();
        break;
      }
      default: break;
    }
  }

  private setDomain(d: [number, number] | null, post: boolean): void {
    this.domain = d;
    if (post) this.host.post({ type: 'timeRange', from: d ? d[0] : null, to: d ? d[1] : null });
    this.throttle.request();
  }

  private currentDomain(): [number, number] {
    if (this.domain) return this.domain;
    if (this.model.total === 0) return [Date.now() - 1000, Date.now()];
    const span = Math.max(1, this.model.maxTs - this.model.minTs);
    return [this.model.minTs - span * 0.01, this.model.maxTs + span * 0.01];
  }

  private scale(width: number) {
    const [a, b] = this.currentDomain();
    return scaleTime().domain([new Date(a), new Date(b)]).range([0, width]);
  }

  private onBrush(ev: D3BrushEvent<unknown>): void {
    if (!ev.sourceEvent) return; // our own brush.move(null)
    const width = this.plot.clientWidth;
    const x = this.scale(width);
    const sel = ev.selection as [number, number] | null;
    if (sel && sel[1] - sel[0] >= 3) {
      select(this.overlay).select<SVGGElement>('g.brush').call(this.brush.move as never, null);
      this.setDomain([x.invert(sel[0]).getTime(), x.invert(sel[1]).getTime()], true);
      return;
    }
    // A click: select the nearest mark in that lane.
    const [px, py] = pointer(ev.sourceEvent, this.overlay);
    const lane = Math.floor(py / LANE);
    const t = x.invert(px).getTime();
    const msPerPx = (x.domain()[1].getTime() - x.domain()[0].getTime()) / Math.max(1, width);
    const e = this.model.nearest(lane, t, msPerPx * 6);
    if (!e) return;
    this.selected = e;
    this.host.post({ type: 'select', key: eventKey(e), event: e });
    this.throttle.request();
  }

  private readColours(): void {
    const cs = getComputedStyle(document.body);
    this.colours = GROUP_NAMES.map((g: KindGroup) => cs.getPropertyValue(`--lens-${g}`).trim() || cs.color);
    this.selectColour = cs.getPropertyValue('--vscode-focusBorder').trim() || cs.color;
  }

  private render(): void {
    if (this.colours.length === 0) this.readColours();
    const lanes = this.model.lanes;
    this.empty.hidden = lanes.length > 0;
    const width = Math.max(50, this.plot.clientWidth);
    const height = Math.max(LANE, lanes.length * LANE);
    const x = this.scale(width);
    const [d0, d1] = this.currentDomain();
    this.rangeLabel.textContent = this.model.total ? `${formatTime(d0)} – ${formatTime(d1)}${this.domain ? ' (zoomed)' : ''}` : '';
    this.count.textContent = `${fmtCount(this.model.total)} events, ${fmtCount(lanes.length)} processes` +
      (this.model.dropped ? ` (${fmtCount(this.model.dropped)} older events dropped from the timeline)` : '');

    // Lane labels (recycled).
    while (this.labels.children.length < lanes.length) this.labels.append(h('div', { class: 'lane-label', role: 'listitem' }));
    while (this.labels.children.length > lanes.length) this.labels.lastElementChild!.remove();
    lanes.forEach((l, i) => {
      const el = this.labels.children[i] as HTMLElement;
      const text = `${l.comm} ${l.pid}`;
      if (el.textContent !== text) {
        el.textContent = text;
        el.title = `${l.comm} (pid ${l.pid}): ${l.ts.length} events`;
        el.setAttribute('aria-label', `${l.comm} (${l.pid}), ${l.ts.length} events`);
        el.dataset.pid = String(l.pid);
      }
    });

    // Marks.
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(width * dpr) || this.canvas.height !== Math.round(height * dpr)) {
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const msPerPx = (d1 - d0) / width;
    // One path per kind group, filled once: setting fillStyle per mark is what costs.
    const paths = GROUP_NAMES.map(() => new Path2D());
    const lastX = new Float64Array(GROUP_NAMES.length);
    lanes.forEach((lane, li) => {
      const y = li * LANE + (LANE - MARK_H) / 2;
      lastX.fill(-Infinity);
      const ts = lane.ts;
      const group = lane.group;
      for (let i = lowerBound(ts, d0); i < ts.length && ts[i] <= d1; i++) {
        const px = Math.floor((ts[i] - d0) / msPerPx) & ~1;
        const g = group[i];
        if (px === lastX[g]) continue; // one 2 px mark per 2 px column per kind
        lastX[g] = px;
        paths[g].rect(px, y, 2, MARK_H);
      }
    });
    paths.forEach((path, g) => {
      ctx.fillStyle = this.colours[g];
      ctx.fill(path);
    });
    const selectedLane = this.selected ? lanes.findIndex((l) => l.key === this.selected!.key) : -1;
    if (this.selected && selectedLane >= 0) {
      const px = x(new Date(this.selected.ts));
      ctx.strokeStyle = this.selectColour;
      ctx.lineWidth = 2;
      ctx.strokeRect(px - 3, selectedLane * LANE + 1, 8, LANE - 2);
    }

    // Brush overlay and axis.
    this.overlay.setAttribute('width', String(width));
    this.overlay.setAttribute('height', String(height));
    this.brush.extent([[0, 0], [width, height]]);
    select(this.overlay).select<SVGGElement>('g.brush').call(this.brush as never);
    this.axis.setAttribute('width', String(width));
    this.axis.setAttribute('height', '24');
    const ag = select(this.axis).selectAll<SVGGElement, null>('g.axis').data([null]).join('g').attr('class', 'axis').attr('transform', 'translate(0,22)');
    ag.call(axisTop(x).ticks(Math.max(2, Math.floor(width / 110))) as never);
  }
}
