/*
 * The process tree view's data: the session's processes (the shared
 * ProcessTree of remote-agent/src/model/process-tree.ts, one node per process key)
 * as the nested data d3.hierarchy takes, with collapsed nodes folded.
 */
import { ProcessTree, type ProcessNode } from '../../../remote-agent/src/model/process-tree';
import { isError } from './eventText';

/** The key of the synthetic node above several roots. */
export const SESSION_ROOT_KEY = 'session';

/** Nested form for d3.hierarchy; the node keyed SESSION_ROOT_KEY (pid 0) is the synthetic root above several roots. */
export interface TreeDatum {
  node: ProcessNode;
  children?: TreeDatum[];
  /** children hidden because the node is collapsed */
  hiddenChildren: number;
  /** events in this node and all its descendants */
  subtreeEvents: number;
}

/** The processes of the session shown, failures counted as the events view counts them. */
export function webviewProcessTree(): ProcessTree {
  return new ProcessTree({ isError });
}

/** The tree (nested), collapsing the processes whose keys are in `collapsed`; null when there are no processes. */
export function hierarchy(tree: ProcessTree, collapsed: ReadonlySet<string>): TreeDatum | null {
  if (tree.size === 0) return null;
  const build = (n: ProcessNode): TreeDatum => {
    const children = n.children.map(build);
    const subtreeEvents = n.events + children.reduce((s, c) => s + c.subtreeEvents, 0);
    if (collapsed.has(n.key)) return { node: n, hiddenChildren: children.length, subtreeEvents };
    return { node: n, children: children.length ? children : undefined, hiddenChildren: 0, subtreeEvents };
  };
  const built = tree.roots.map(build);
  if (built.length === 1) return built[0];
  const root: ProcessNode = { key: SESSION_ROOT_KEY, pid: 0, ppid: 0, comm: 'session', startTs: 0, lastTs: 0, events: 0, errors: 0, children: [] };
  return { node: root, children: built, hiddenChildren: 0, subtreeEvents: built.reduce((s, c) => s + c.subtreeEvents, 0) };
}

/** Activity level 0..4 (log scale against the busiest process), for colouring nodes. */
export function activityLevel(events: number, maxEvents: number): number {
  if (events <= 0 || maxEvents <= 0) return 0;
  if (maxEvents === 1) return 4;
  const level = 1 + Math.floor((Math.log(events) / Math.log(maxEvents)) * 3.999);
  return Math.max(1, Math.min(4, level));
}
