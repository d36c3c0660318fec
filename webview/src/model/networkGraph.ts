/*
 * The network map's graph, built from socket and DNS events: process nodes,
 * remote endpoint nodes (labelled by DNS name when one is known), and one
 * edge per (process, endpoint) weighted by connections and bytes.
 */
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { filterTerm } from './filter';

/** A process or a remote endpoint. */
export interface NetNode {
  id: string;
  type: 'process' | 'endpoint';
  label: string;
  pid?: number;
  addr?: string;
  port?: number;
  inbound?: boolean;
}

/** Traffic between one process and one endpoint. */
export interface NetLink {
  id: string;
  source: string;
  target: string;
  connections: number;
  bytes: number;
  failures: number;
}

/** The events filter that shows a node's events: a process by its key, an endpoint by its address and port. */
export function nodeFilter(n: NetNode): string {
  if (n.type === 'process') return filterTerm('key', n.id.slice(2));
  const addr = n.addr ?? '';
  if (addr.startsWith('unix:')) return filterTerm('path', addr.slice(5));
  if (n.inbound) return n.port ? `kind:net ${filterTerm('sport', n.port)}` : 'kind:net';
  return [filterTerm('daddr', addr), ...(n.port ? [filterTerm('dport', n.port)] : [])].join(' ');
}

/** Why it exists: accumulate who talks to whom, for the network map. */
export class NetworkGraphModel {
  private readonly nodes = new Map<string, NetNode>();
  private readonly links = new Map<string, NetLink>();
  /** address → DNS name, from dns answers and events' `dns` fields */
  private readonly names = new Map<string, string>();
  version = 0;

  addEvents(events: readonly LensEvent[]): void {
    let changed = false;
    for (const e of events) {
      switch (e.kind) {
        case 'dns':
          for (const a of e.answers) this.learnName(a, e.name);
          changed = true;
          break;
        case 'connect':
        case 'udp_send': {
          if (e.dns) this.learnName(e.daddr, e.dns);
          const link = this.link(e, this.endpoint(e.path ? `unix:${e.path}` : e.daddr, e.path ? 0 : e.dport, false));
          link.connections++;
          // a non-blocking connect returns EINPROGRESS and completes later: not a failure
          if (e.ret < 0 && e.errno !== 'EINPROGRESS') link.failures++;
          else if (e.kind === 'udp_send' && e.ret > 0) link.bytes += e.ret;
          changed = true;
          break;
        }
        case 'accept': {
          if (e.ret < 0) break;
          if (e.dns) this.learnName(e.daddr, e.dns);
          const link = this.link(e, this.endpoint(e.path ? `unix:${e.path}` : e.daddr, e.path ? 0 : e.sport, true));
          link.connections++;
          changed = true;
          break;
        }
        case 'tcp_close': {
          if (e.dns) this.learnName(e.daddr, e.dns);
          // Bytes go to the outbound edge if this process connected there, else to an inbound one.
          const out = `p:${e.key}|e:${e.daddr}:${e.dport}`;
          const inb = `p:${e.key}|in:${e.daddr}:${e.sport}`;
          const link = this.links.get(out) ?? this.links.get(inb) ?? this.link(e, this.endpoint(e.daddr, e.dport, false));
          link.bytes += e.bytes_sent + e.bytes_received;
          changed = true;
          break;
        }
        default:
          break;
      }
    }
    if (changed) this.version++;
  }

  clear(): void {
    this.nodes.clear();
    this.links.clear();
    this.names.clear();
    this.version++;
  }

  graph(): { nodes: NetNode[]; links: NetLink[] } {
    for (const n of this.nodes.values()) if (n.type === 'endpoint') n.label = this.endpointLabel(n);
    return { nodes: [...this.nodes.values()], links: [...this.links.values()] };
  }

  private learnName(addr: string, name: string): void {
    if (addr && name) this.names.set(addr, name);
  }

  private endpointLabel(n: NetNode): string {
    const addr = n.addr ?? '';
    if (addr.startsWith('unix:')) return addr.slice(5);
    const host = this.names.get(addr) ?? (addr.includes(':') ? `[${addr}]` : addr);
    return n.inbound ? `${host} → :${n.port}` : n.port ? `${host}:${n.port}` : host;
  }

  private endpoint(addr: string, port: number, inbound: boolean): NetNode {
    const id = inbound ? `in:${addr}:${port}` : `e:${addr}:${port}`;
    let n = this.nodes.get(id);
    if (!n) {
      n = { id, type: 'endpoint', label: '', addr, port, inbound };
      this.nodes.set(id, n);
    }
    return n;
  }

  private link(e: LensEvent, target: NetNode): NetLink {
    // one node per process key: a reused pid is another process
    const proc = `p:${e.key}`;
    const p = this.nodes.get(proc);
    if (!p) this.nodes.set(proc, { id: proc, type: 'process', label: `${e.comm} (${e.pid})`, pid: e.pid });
    else p.label = `${e.comm} (${e.pid})`;
    const id = `${proc}|${target.id}`;
    let l = this.links.get(id);
    if (!l) {
      l = { id, source: proc, target: target.id, connections: 0, bytes: 0, failures: 0 };
      this.links.set(id, l);
    }
    return l;
  }
}
