/*
 * Network map view: a d3 force graph of processes and the remote endpoints
 * they talk to (DNS names when known), edges as thick as their connections
 * and bytes. Node positions survive updates; nodes can be dragged; the map
 * zooms and pans.
 */
import {
  drag, forceCenter, forceCollide, forceLink, forceManyBody, forceSimulation, forceX, type Simulation, type SimulationLinkDatum,
  type SimulationNodeDatum, select, zoom, zoomIdentity,
} from 'd3';
import type { Host } from '../host';
import type { ToWebview } from '../messages';
import { formatBytes } from '../model/eventText';
import { NetworkGraphModel, nodeFilter, type NetLink, type NetNode } from '../model/networkGraph';
import { fmtCount, h } from '../ui/dom';
import { Throttle } from '../ui/throttle';
import type { View } from './view';

type SimNode = NetNode & SimulationNodeDatum;
type SimLink = Omit<NetLink, 'source' | 'target'> & SimulationLinkDatum<SimNode>;

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Edge width: grows with the log of connections and of bytes. */
export function edgeWidth(l: { connections: number; bytes: number }): number {
  return Math.min(12, 1 + Math.log2(1 + l.connections) + Math.log10(1 + l.bytes) / 2);
}

/** Mount the network map view. */
export function createNetworkMapView(root: HTMLElement, host: Host): View {
  return new NetworkMapView(root, host);
}

class NetworkMapView implements View {
  private readonly model = new NetworkGraphModel();
  private readonly svg: SVGSVGElement;
  private readonly zoomLayer: SVGGElement;
  private readonly linkLayer: SVGGElement;
  private readonly nodeLayer: SVGGElement;
  private readonly empty: HTMLElement;
  private readonly count: HTMLElement;
  private readonly simulation: Simulation<SimNode, SimLink>;
  private readonly positions = new Map<string, SimNode>();
  private readonly throttle = new Throttle(() => this.update(), 500);
  private drawnVersion = -1;
  private shape = '';
  private sideOffset = 200;

  constructor(root: HTMLElement, private readonly host: Host) {
    this.count = h('span', { class: 'counts', id: 'network-count' });
    const legend = h('span', { class: 'legend' },
      h('span', { class: 'legend-item net-process' }, h('span', { class: 'dot' }), 'process'),
      h('span', { class: 'legend-item net-endpoint' }, h('span', { class: 'dot' }), 'remote endpoint'),
      h('span', { class: 'legend-item net-inbound' }, h('span', { class: 'dot' }), 'inbound peer'),
      h('span', { class: 'legend-item net-failed' }, h('span', { class: 'dot' }), 'failed connections'));
    const fit = h('vscode-button', { appearance: 'secondary', id: 'reset-zoom' }, 'Reset view');
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('class', 'network-map');
    this.svg.setAttribute('role', 'img');
    this.svg.setAttribute('aria-label', 'Network map');
    this.zoomLayer = document.createElementNS(SVG_NS, 'g');
    this.linkLayer = document.createElementNS(SVG_NS, 'g');
    this.nodeLayer = document.createElementNS(SVG_NS, 'g');
    this.zoomLayer.append(this.linkLayer, this.nodeLayer);
    this.svg.append(this.zoomLayer);
    this.empty = h('div', { class: 'empty static' }, 'No network activity yet.');
    root.classList.add('view-network-map');
    const area = h('div', { class: 'graph-fill' }, this.empty, this.svg);
    root.append(h('div', { class: 'toolbar' }, fit, legend, this.count), area);

    const z = zoom<SVGSVGElement, unknown>().scaleExtent([0.2, 5]).on('zoom', (ev) => this.zoomLayer.setAttribute('transform', String(ev.transform)));
    select(this.svg).call(z);
    fit.addEventListener('click', () => select(this.svg).call(z.transform, zoomIdentity));

    this.simulation = forceSimulation<SimNode, SimLink>()
      .force('link', forceLink<SimNode, SimLink>().id((d) => d.id).distance(150).strength(0.3))
      .force('charge', forceManyBody().strength(-600))
      .force('collide', forceCollide(40))
      // Processes drift left and endpoints right, so who-talks-to-whom reads left to right.
      .force('side', forceX<SimNode>((d) => (d.type === 'process' ? -this.sideOffset : this.sideOffset)).strength(0.3))
      .on('tick', () => this.tick());
    new ResizeObserver(() => {
      const r = area.getBoundingClientRect();
      this.svg.setAttribute('viewBox', `${-r.width / 2} ${-r.height / 2} ${r.width} ${r.height}`);
      this.sideOffset = Math.max(80, r.width / 5);
      this.simulation.force('center', forceCenter(0, 0));
    }).observe(area);
    this.throttle.request();
  }

  handle(msg: ToWebview): void {
    if (msg.type === 'events') { this.model.addEvents(msg.events); this.throttle.request(); }
    if (msg.type === 'reset') { this.model.clear(); this.positions.clear(); this.shape = ''; this.throttle.request(); }
  }

  private update(): void {
    if (this.drawnVersion === this.model.version) return;
    this.drawnVersion = this.model.version;
    const g = this.model.graph();
    this.empty.hidden = g.nodes.length > 0;
    const endpoints = g.nodes.filter((n) => n.type === 'endpoint').length;
    this.count.textContent = `${fmtCount(g.nodes.length - endpoints)} processes, ${fmtCount(endpoints)} endpoints`;

    const nodes: SimNode[] = g.nodes.map((n) => {
      const old = this.positions.get(n.id);
      const sim: SimNode = old ? Object.assign(old, n) : { ...n };
      this.positions.set(n.id, sim);
      return sim;
    });
    const links: SimLink[] = g.links.map((l) => ({ ...l }));

    const linkSel = select(this.linkLayer).selectAll<SVGLineElement, SimLink>('line')
      .data(links, (d) => d.id)
      .join((enter) => enter.append('line').call((s) => s.append('title')))
      .attr('class', (d) => `net-link${d.failures && d.failures === d.connections ? ' failed' : ''}`)
      .attr('stroke-width', (d) => edgeWidth(d));
    linkSel.select('title').text((d) => `${fmtCount(d.connections)} connections${d.failures ? ` (${fmtCount(d.failures)} failed)` : ''}, ${formatBytes(d.bytes)}`);

    const nodeSel = select(this.nodeLayer).selectAll<SVGGElement, SimNode>('g.net-node')
      .data(nodes, (d) => d.id)
      .join((enter) => {
        const ng = enter.append('g').attr('tabindex', 0);
        ng.append('circle');
        ng.append('text').attr('dy', '0.35em');
        ng.append('title');
        // a click (not a drag) shows the node's events
        ng.on('click', (_ev, d) => this.host.post({ type: 'showEvents', filter: nodeFilter(d) }));
        ng.on('keydown', (ev: KeyboardEvent, d) => {
          if (ev.key === 'Enter') { ev.preventDefault(); this.host.post({ type: 'showEvents', filter: nodeFilter(d) }); }
        });
        ng.call(drag<SVGGElement, SimNode>()
          .on('start', (ev, d) => { if (!ev.active) this.simulation.alphaTarget(0.3).restart(); d.fx = d.x; d.fy = d.y; })
          .on('drag', (ev, d) => { d.fx = ev.x; d.fy = ev.y; })
          .on('end', (ev, d) => { if (!ev.active) this.simulation.alphaTarget(0); d.fx = null; d.fy = null; }));
        return ng;
      });
    const failedTo = new Set(links.filter((l) => l.failures > 0).map((l) => l.target as string));
    nodeSel
      .attr('class', (d) => `net-node ${d.type === 'process' ? 'net-process' : d.inbound ? 'net-inbound' : 'net-endpoint'}${failedTo.has(d.id) ? ' failed' : ''}`)
      .attr('role', 'img')
      .attr('data-node', (d) => d.id)
      .attr('aria-label', (d) => d.label);
    nodeSel.select('circle').attr('r', (d) => (d.type === 'process' ? 10 : 8));
    // Labels face outwards: processes on the left, endpoints on the right.
    nodeSel.select('text')
      .attr('x', (d) => (d.type === 'process' ? -14 : 14))
      .attr('text-anchor', (d) => (d.type === 'process' ? 'end' : 'start'))
      .text((d) => d.label);
    const traffic = new Map<string, { c: number; b: number }>();
    for (const l of links) for (const id of [l.source as string, l.target as string]) {
      const t = traffic.get(id) ?? { c: 0, b: 0 };
      t.c += l.connections;
      t.b += l.bytes;
      traffic.set(id, t);
    }
    nodeSel.select('title').text((d) => {
      const t = traffic.get(d.id) ?? { c: 0, b: 0 };
      return `${d.label}${d.addr && d.label.indexOf(d.addr) < 0 ? ` (${d.addr}${d.port ? `:${d.port}` : ''})` : ''}\n${fmtCount(t.c)} connections, ${formatBytes(t.b)}\nClick to show its events`;
    });

    // Reheat the layout only when the graph's shape changed, not when counts grew.
    const shape = `${nodes.length}/${links.length}`;
    if (shape !== this.shape) {
      this.shape = shape;
      this.simulation.nodes(nodes);
      (this.simulation.force('link') as ReturnType<typeof forceLink<SimNode, SimLink>>).links(links);
      this.simulation.alpha(Math.max(this.simulation.alpha(), 0.3)).restart();
    } else {
      // Same nodes and links: keep the simulation's resolved link ends on the new data.
      const byId = new Map(nodes.map((n) => [n.id, n]));
      for (const l of links) {
        l.source = byId.get(l.source as string) ?? l.source;
        l.target = byId.get(l.target as string) ?? l.target;
      }
      this.tick();
    }
  }

  private tick(): void {
    select(this.linkLayer).selectAll<SVGLineElement, SimLink>('line')
      .attr('x1', (d) => (d.source as SimNode).x ?? 0).attr('y1', (d) => (d.source as SimNode).y ?? 0)
      .attr('x2', (d) => (d.target as SimNode).x ?? 0).attr('y2', (d) => (d.target as SimNode).y ?? 0);
    select(this.nodeLayer).selectAll<SVGGElement, SimNode>('g.net-node')
      .attr('transform', (d) => `translate(${d.x ?? 0},${d.y ?? 0})`);
  }
}
