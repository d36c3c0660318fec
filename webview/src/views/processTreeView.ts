/*
 * Process tree view: a d3 tree (d3.hierarchy + d3.tree) of the session's
 * processes, collapsible, labelled with comm, pid and exit status, and
 * coloured by how many events each process produced.
 */
import { hierarchy, type HierarchyPointNode, linkHorizontal, select, tree } from 'd3';
import type { Host } from '../host';
import type { ToWebview } from '../messages';
import { activityLevel, hierarchy as treeData, SESSION_ROOT_KEY, type TreeDatum, webviewProcessTree } from '../model/processTree';
import { filterTerm } from '../model/filter';
import { fmtCount, h } from '../ui/dom';
import { Throttle } from '../ui/throttle';
import type { View } from './view';

const ROW = 30;
/** px per character of a label, to space the tree's columns so labels do not run into the next column */
const CHAR_PX = 7.5;
const MARGIN = { top: 20, left: 24, right: 200, bottom: 20 };

/** Mount the process tree view. */
export function createProcessTreeView(root: HTMLElement, host: Host): View {
  return new ProcessTreeView(root, host);
}

class ProcessTreeView implements View {
  private readonly model = webviewProcessTree();
  /** process keys of the collapsed nodes */
  private readonly collapsed: Set<string>;
  private readonly svg: SVGSVGElement;
  private readonly links: SVGGElement;
  private readonly nodes: SVGGElement;
  private readonly empty: HTMLElement;
  private readonly count: HTMLElement;
  private readonly throttle = new Throttle(() => this.render(), 250);
  private drawnVersion = -1;
  /** process key of the selected event's process */
  private selectedKey: string | undefined;

  constructor(root: HTMLElement, private readonly host: Host) {
    this.collapsed = new Set((host.loadState<{ collapsed: unknown[] }>('processTree').collapsed ?? []).filter((k): k is string => typeof k === 'string'));
    this.count = h('span', { class: 'counts', id: 'process-count' });
    const expandAll = h('vscode-button', { appearance: 'secondary', id: 'expand-all' }, 'Expand all');
    expandAll.addEventListener('click', () => { this.collapsed.clear(); this.changed(); });
    const legend = h('span', { class: 'legend', 'aria-label': 'Activity colours' }, 'Activity:',
      ...[0, 1, 2, 3, 4].map((l) => h('span', { class: `legend-item activity-${l}` }, h('span', { class: 'dot' }), ['none', 'low', '', '', 'high'][l])));
    this.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.svg.setAttribute('class', 'process-tree');
    this.svg.setAttribute('role', 'tree');
    this.svg.setAttribute('aria-label', 'Process tree');
    this.links = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    this.nodes = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    this.svg.append(this.links, this.nodes);
    this.empty = h('div', { class: 'empty static' }, 'No processes yet.');
    root.classList.add('view-process-tree');
    root.append(h('div', { class: 'toolbar' }, expandAll, legend, this.count), h('div', { class: 'graph-scroll' }, this.empty, this.svg));
    this.throttle.request();
  }

  handle(msg: ToWebview): void {
    if (msg.type === 'events') { this.model.apply(msg.events); this.throttle.request(); }
    if (msg.type === 'reset') { this.model.clear(); this.selectedKey = undefined; this.throttle.request(); }
    if (msg.type === 'select') {
      // mark the selected event's process
      this.selectedKey = msg.process;
      this.drawnVersion = -1;
      this.throttle.request();
      requestAnimationFrame(() => this.nodes.querySelector('.tree-node.selected')?.scrollIntoView({ block: 'nearest', inline: 'nearest' }));
    }
  }

  private changed(): void {
    this.host.saveState('processTree', { collapsed: [...this.collapsed] });
    this.drawnVersion = -1;
    this.throttle.request();
  }

  /** Opens the events view filtered to one process (its key: a reused pid is another process). */
  private showEvents(key: string): void {
    if (key !== SESSION_ROOT_KEY) this.host.post({ type: 'showEvents', filter: filterTerm('key', key) });
  }

  private toggle(key: string): void {
    if (key === SESSION_ROOT_KEY) return;
    if (this.collapsed.has(key)) this.collapsed.delete(key); else this.collapsed.add(key);
    this.changed();
  }

  private render(): void {
    if (this.drawnVersion === this.model.version) return;
    this.drawnVersion = this.model.version;
    const data = treeData(this.model, this.collapsed);
    this.empty.hidden = data !== null;
    const omitted = this.model.omitted ? `; ${fmtCount(this.model.omitted)} more not kept (process limit reached)` : '';
    this.count.textContent = `${fmtCount(this.model.size)} processes${omitted}`;
    if (!data) {
      select(this.links).selectAll('*').remove();
      select(this.nodes).selectAll('*').remove();
      return;
    }
    const h0 = hierarchy(data, (d) => d.children);
    let longest = 0;
    h0.each((n) => { longest = Math.max(longest, `${n.data.node.comm} ${n.data.node.pid}  exit 255 (+99)`.length); });
    const column = Math.min(420, Math.max(160, 30 + longest * CHAR_PX));
    const rootNode = tree<TreeDatum>().nodeSize([ROW, column])(h0);
    const all = rootNode.descendants();
    let minX = Infinity;
    let maxX = -Infinity;
    let maxY = 0;
    for (const n of all) { minX = Math.min(minX, n.x); maxX = Math.max(maxX, n.x); maxY = Math.max(maxY, n.y); }
    // Labels of nodes with children sit left of the node (clear of their outgoing links), so
    // the root's label needs room on the left.
    const rootLabel = rootNode.children ? labelText(rootNode.data).length * CHAR_PX + 16 : 0;
    const left = MARGIN.left + rootLabel;
    const width = maxY + left + MARGIN.right;
    const height = maxX - minX + MARGIN.top + MARGIN.bottom;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    this.svg.setAttribute('viewBox', `${-left} ${minX - MARGIN.top} ${width} ${height}`);
    const max = this.model.maxEvents;
    const link = linkHorizontal<unknown, HierarchyPointNode<TreeDatum>>().x((d) => d.y).y((d) => d.x);

    select(this.links).selectAll<SVGPathElement, HierarchyPointNode<TreeDatum>>('path')
      .data(rootNode.links(), (l) => (l as { target: HierarchyPointNode<TreeDatum> }).target.data.node.key)
      .join('path')
      .attr('class', 'tree-link')
      .attr('d', (l) => link(l as never));

    const nodes = select(this.nodes).selectAll<SVGGElement, HierarchyPointNode<TreeDatum>>('g.tree-node')
      .data(all, (d) => d.data.node.key)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'tree-node').attr('role', 'treeitem').attr('tabindex', 0);
        g.append('circle').attr('r', 7);
        const label = g.append('text').attr('class', 'tree-label').attr('dy', '0.35em');
        label.append('tspan').attr('class', 'tree-name');
        label.append('tspan').attr('class', 'tree-exit').attr('dx', 8);
        g.append('title');
        g.on('click', (_ev, d) => this.toggle(d.data.node.key));
        g.on('dblclick', (_ev, d) => this.showEvents(d.data.node.key));
        g.on('keydown', (ev: KeyboardEvent, d) => {
          if (ev.key === 'Enter' && ev.shiftKey) { ev.preventDefault(); this.showEvents(d.data.node.key); return; }
          if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); this.toggle(d.data.node.key); }
        });
        return g;
      });
    nodes
      .attr('transform', (d) => `translate(${d.y},${d.x})`)
      .attr('data-pid', (d) => d.data.node.pid)
      .attr('data-key', (d) => d.data.node.key)
      .attr('aria-level', (d) => d.depth + 1)
      .attr('aria-expanded', (d) => (d.data.hiddenChildren ? 'false' : d.data.children ? 'true' : null))
      .attr('aria-label', (d) => `${d.data.node.comm} (${d.data.node.pid})${exitText(d.data) ? `, ${exitText(d.data)}` : ''}, ${d.data.node.events} events`)
      .attr('class', (d) => `tree-node activity-${d.data.node.pid === 0 ? 0 : activityLevel(d.data.node.events, max)}${d.data.hiddenChildren ? ' collapsed' : ''}${d.data.node.errors ? ' has-errors' : ''}${d.data.node.key === this.selectedKey ? ' selected' : ''}`)
      .attr('aria-selected', (d) => String(d.data.node.key === this.selectedKey));
    nodes.select<SVGTextElement>('text.tree-label')
      .attr('x', (d) => (d.children ? -12 : 12))
      .attr('text-anchor', (d) => (d.children ? 'end' : 'start'));
    nodes.select<SVGTSpanElement>('tspan.tree-name').text((d) => d.data.node.pid === 0 ? 'session' : `${d.data.node.comm} ${d.data.node.pid}${d.data.hiddenChildren ? ` (+${d.data.hiddenChildren})` : ''}`);
    nodes.select<SVGTSpanElement>('tspan.tree-exit')
      .attr('class', (d) => `tree-exit${(d.data.node.exitCode ?? 0) !== 0 || d.data.node.signal ? ' failed' : ''}`)
      .text((d) => exitText(d.data));
    nodes.select('title').text((d) => {
      const n = d.data.node;
      const lines = [`${n.comm} (pid ${n.pid}, parent ${n.ppid})`];
      if (n.argv) lines.push(n.argv.join(' '));
      lines.push(`${fmtCount(n.events)} events, ${fmtCount(n.errors)} errors; with descendants ${fmtCount(d.data.subtreeEvents)}`);
      if (exitText(d.data)) lines.push(exitText(d.data));
      lines.push('Click to expand or collapse; double-click (or Shift+Enter) to show its events');
      return lines.join('\n');
    });
  }
}

function exitText(d: TreeDatum): string {
  const n = d.node;
  if (n.signal) return `killed by ${n.signal}`;
  return n.exitCode === undefined ? '' : `exit ${n.exitCode}`;
}

function labelText(d: TreeDatum): string {
  const exit = exitText(d);
  return `${d.node.comm} ${d.node.pid}${exit ? `  ${exit}` : ''}`;
}
