// Kernel cost of Python frames of attached processes: ns per run of the openat exit program
// (lens_xopenat) while an attached Python (Debian's 3.11 by default) makes N os.open calls from
// a shallow stack (3 Python frames) or a deep one (30), with --python-stacks off, on but the
// process not registered (a map lookup per event), and registered (the frame walk in the kernel),
// configurations interleaved run by run; the added cost per event is the difference of medians.
// The probe runs alone (attached with --pid, packets to /dev/null), so only the kernel side is measured.
//   node_modules/.bin/tsx scripts/bench/python-walk-cost.ts [--opens N] [--reps N] [--python PATH]
// Prints one JSON line per configuration and one with the added ns per event.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeCommand } from '../../remote-agent/src/decode/commands';
import { linuxHostFacts } from '../../remote-agent/src/backend/linux/host-facts';
import { loadLayouts } from '../../remote-agent/src/runtimes/python/attach/py-layouts';
import { inspectPython } from '../../remote-agent/src/runtimes/python/attach/py-runtime';
import { diff, enableStats, fifos, ownProgramIds, release, snapshot, tryOpenWriter } from './kernel-cost';
import { median, processTree, start, waitFor } from './proc';
import { REPO } from './tracers';

const PROBE = path.join(REPO, 'bpf', 'linux', '.output', 'lens-probe');
const CONFIGS: Record<string, { depth: number; flag: boolean; register: boolean }> = {
  off: { depth: 0, flag: false, register: false },
  'on, not registered': { depth: 0, flag: true, register: false },
  'registered, 3 frames': { depth: 0, flag: true, register: true },
  'registered, 30 frames': { depth: 27, flag: true, register: true },
};
const LOOP = `import os, sys
n, depth, go, stop = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
open(go).read()
def deeper(d):
    if d:
        return deeper(d - 1)
    for _ in range(n):
        os.close(os.open('/dev/null', os.O_RDONLY))
deeper(depth)
open(stop).read()
`;

function arg(name: string, dflt: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : dflt;
}

/** The ids of the maps the run's processes hold (fdinfo map_id). */
function ownMapIds(root: number): number[] {
  const ids: number[] = [];
  for (const pid of processTree(root)) {
    let fds: string[] = [];
    try { fds = readdirSync(`/proc/${pid}/fdinfo`); } catch { /* gone */ }
    for (const fd of fds) {
      try {
        const m = /^map_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        if (m) ids.push(Number(m[1]));
      } catch { /* closed meanwhile */ }
    }
  }
  return ids;
}

/** Whether the run's lens_py_procs holds pid. */
function registered(root: number, pid: number): boolean {
  const key = [0, 8, 16, 24].map((s) => String((pid >>> s) & 0xff));
  return ownMapIds(root).some((id) => spawnSync('bpftool', ['map', 'lookup', 'id', String(id), 'key', ...key], { encoding: 'utf8' }).status === 0
    && /lens_py_procs/.test(spawnSync('bpftool', ['map', 'show', 'id', String(id)], { encoding: 'utf8' }).stdout));
}

async function once(scratch: string, python: string, script: string, opens: number, c: (typeof CONFIGS)[string]): Promise<number> {
  const [go, stop, ctl] = fifos(scratch, 3) as [string, string, string];
  const py = spawn(python, [script, String(opens), String(c.depth), go, stop], { stdio: 'ignore' });
  const control = openSync(ctl, 'r+');
  try {
    const started = start(['sh', '-c', 'exec "$@" < "$0"', ctl, PROBE, '--events', 'exec,file', ...(c.flag ? ['--python-stacks'] : []), '--pid', String(py.pid)], { timeoutS: 300 });
    // attached once its openat exit program runs (it is loaded a while before; bpftool's own opens make it run)
    await waitFor('the probe to attach', () => {
      try { return [...snapshot(ownProgramIds(started.pid)).values()].some((p) => p.name === 'lens_xopenat' && (p.run_cnt ?? 0) > 0) || undefined; } catch { return undefined; }
    }, 120);
    if (c.register) {
      const r = inspectPython(linuxHostFacts(), py.pid!, linuxHostFacts().memory(py.pid!), loadLayouts());
      if (!('python' in r)) throw new Error(`${python} cannot be registered: ${JSON.stringify(r)}`);
      writeSync(control, encodeCommand({ op: 'python', pid: py.pid!, cookie: 1, head: r.python.head, offsets: r.python.offsets }));
      await waitFor('the registration to reach the kernel', () => registered(started.pid, py.pid!) || undefined, 30);
    }
    const own = ownProgramIds(started.pid);
    const s0 = snapshot(own);
    release(await waitFor('the Python loop to wait', () => tryOpenWriter(go), 60));
    release(await waitFor('the Python loop to finish', () => tryOpenWriter(stop), 300));
    const s1 = snapshot(own);
    closeSync(control);
    await started.done;
    const p = diff(s0, s1).find((x) => x.name === 'lens_xopenat');
    if (!p || p.runCnt < opens) throw new Error(`lens_xopenat ran ${p?.runCnt ?? 0} times for ${opens} opens: ${JSON.stringify(diff(s0, s1).slice(0, 6))}`);
    return p.runTimeNs / p.runCnt;
  } finally {
    py.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const opens = Number(arg('--opens', '100000'));
  const reps = Number(arg('--reps', '3'));
  const python = arg('--python', '/usr/bin/python3.11');
  const scratch = mkdtempSync(path.join(tmpdir(), 'lens-pywalk-cost-'));
  try {
    const script = path.join(scratch, 'loop.py');
    writeFileSync(script, LOOP);
    const stats = await enableStats(scratch);
    const ns: Record<string, number[]> = Object.fromEntries(Object.keys(CONFIGS).map((k) => [k, []]));
    try {
      for (let r = 0; r < reps; r++) for (const [name, c] of Object.entries(CONFIGS)) ns[name].push(await once(scratch, python, script, opens, c));
    } finally {
      await stats.stop();
    }
    const off = median(ns.off);
    for (const [name, xs] of Object.entries(ns)) console.log(JSON.stringify({ config: name, nsPerEvent: Math.round(median(xs)), runs: xs.map(Math.round) }));
    console.log(JSON.stringify({
      python, addedNsPerEvent: Object.fromEntries(Object.keys(CONFIGS).filter((k) => k !== 'off').map((k) => [k, Math.round(median(ns[k]) - off)])), opens, reps,
    }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(`python-walk-cost: ${e.message}`);
  process.exit(1);
});
