// Lists the eBPF programs and maps of this project that are loaded in the kernel
// (names start with `lens`), and who holds them, so tests can prove nothing is left behind.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One loaded program or map of ours. */
export interface LensObject {
  type: 'prog' | 'map';
  id: number;
  name: string;
  /** processes holding an fd to it (empty: pinned, or held only by the kernel) */
  holders: Array<{ pid: number; comm: string }>;
}

interface BpftoolEntry { id: number; name?: string }

function bpftoolList(what: 'prog' | 'map'): BpftoolEntry[] {
  let out: string;
  try {
    out = execFileSync('bpftool', ['-j', what, 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`bpftool -j ${what} list failed (is bpftool installed? run npm run setup): ${(err as Error).message}`, { cause: err });
  }
  return JSON.parse(out || '[]') as BpftoolEntry[];
}

/** Which processes hold fds to which bpf prog/map ids, from /proc/PID/fdinfo. */
function holdersById(): Map<string, Array<{ pid: number; comm: string }>> {
  const holders = new Map<string, Array<{ pid: number; comm: string }>>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    let comm = '';
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (!target.startsWith('anon_inode:bpf') && !target.startsWith('anon_inode:[perf_event]')) continue;
        const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
        for (const [, kind, id] of info.matchAll(/^(prog|map)_id:\s*(\d+)/gm)) {
          comm ||= readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
          const key = `${kind}:${id}`;
          const list = holders.get(key) ?? [];
          if (!list.some((h) => h.pid === pid)) list.push({ pid, comm });
          holders.set(key, list);
        }
      } catch {
        // fd closed or process gone meanwhile
      }
    }
  }
  return holders;
}

/** Programs and maps of ours loaded now; `withHolders` also finds who holds them (slower). */
export function lensObjects(withHolders = false): LensObject[] {
  const objects: LensObject[] = [];
  for (const type of ['prog', 'map'] as const) {
    for (const e of bpftoolList(type)) {
      if (e.name?.startsWith('lens')) objects.push({ type, id: e.id, name: e.name, holders: [] });
    }
  }
  return withHolders ? findHolders(objects) : objects;
}

/** Fills in `holders` of each object (one scan of /proc/PID/fdinfo). */
export function findHolders(objects: LensObject[]): LensObject[] {
  if (objects.length) {
    const holders = holdersById();
    for (const o of objects) o.holders = holders.get(`${o.type}:${o.id}`) ?? [];
  }
  return objects;
}

/** One line per object: "prog 12 lens_exec held by lens-probe[345]". */
export function describeObjects(objects: LensObject[]): string {
  return objects
    .map((o) => `${o.type} ${o.id} ${o.name} ${o.holders.length ? 'held by ' + o.holders.map((h) => `${h.comm}[${h.pid}]`).join(', ') : 'held by no process (pinned or leaked)'}`)
    .join('\n');
}
