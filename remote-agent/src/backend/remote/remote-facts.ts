/*
 * Host facts of a remote host: `lens-remote facts` reads /proc there (the
 * host's own process table, command lines, cwd, exe and fds) and the agent
 * keeps the last snapshot; refresh() takes a new one before anything reads
 * it (attach, adding a process, the process list).
 */
import type { HostFacts, Mapping, ProcessFacts, ProcessMemory } from '../backend';
import type { ProcessInfo } from '../../protocol';
import { redactArgv } from '../../redact/redact';
import { sq } from './shell';
import type { SshLink } from './ssh';

interface FactLine {
  pid: number; ppid: number; state: string; start: number; uid: number; comm: string;
  argv?: string[]; exe?: string; cwd?: string; fds?: Record<string, string>;
}

/** Facts read through `lens-remote facts` (`script` runs it with the probe's privileges). */
export class RemoteFacts implements HostFacts {
  private procs = new Map<number, FactLine>();
  private bootMs = 0;
  private tickNs = 1e7;

  constructor(private readonly link: SshLink, private readonly script: (args: string) => string, private readonly users: Map<number, string>) {}

  async refresh(pid?: number): Promise<void> {
    const r = await this.link.exec(this.script(pid === undefined ? 'facts' : `facts --tree ${sq(String(pid))}`));
    if (r.code !== 0) throw new Error(`reading the process table of ${this.link.target.text} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    const procs = new Map<number, FactLine>();
    const lines = r.stdout.toString('utf8').split('\n');
    const head = JSON.parse(lines[0]) as { btime: number; clk_tck: number };
    this.bootMs = head.btime * 1000;
    this.tickNs = 1e9 / (head.clk_tck || 100);
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const p = JSON.parse(line) as FactLine;
      procs.set(p.pid, p);
    }
    this.procs = procs;
  }

  process(pid: number): ProcessFacts | undefined {
    const p = this.procs.get(pid);
    return p && { pid, ppid: p.ppid, comm: p.comm, state: p.state, startNs: p.start * this.tickNs };
  }

  exists(pid: number): boolean { return this.procs.has(pid); }
  pids(): number[] { return [...this.procs.keys()]; }
  cmdline(pid: number): string[] | undefined { return this.procs.get(pid)?.argv; }
  cwd(pid: number): string | undefined { return this.procs.get(pid)?.cwd; }
  exe(pid: number): string | undefined { return this.procs.get(pid)?.exe; }
  uid(pid: number): number | undefined { const u = this.procs.get(pid)?.uid; return u === undefined || u < 0 ? undefined : u; }

  fds(pid: number): Map<number, string> {
    return new Map(Object.entries(this.procs.get(pid)?.fds ?? {}).map(([fd, target]) => [Number(fd), target]));
  }

  // A remote process's maps and memory are not read from here (Python frames of attached
  // processes need them): each answers as for a process that cannot be read.
  exeInode(): number | undefined { return undefined; }
  mappings(): Mapping[] | undefined { return undefined; }
  fileAs(_pid: number, file: string): string { return file; }
  memory(): ProcessMemory { return { read: () => undefined, close: () => {} }; }

  userName(uid: number): string {
    return this.users.get(uid) ?? String(uid);
  }

  list(): ProcessInfo[] {
    const out: ProcessInfo[] = [];
    for (const p of this.procs.values()) {
      if (!p.argv || p.uid < 0) continue;
      out.push({
        pid: p.pid, ppid: p.ppid, uid: p.uid, user: this.userName(p.uid), comm: p.comm,
        cmdline: p.argv.length ? redactArgv(p.argv).join(' ') : `[${p.comm}]`, startTime: this.bootMs + (p.start * this.tickNs) / 1e6,
      });
    }
    return out.sort((a, b) => a.pid - b.pid);
  }
}
