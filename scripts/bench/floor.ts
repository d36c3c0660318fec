// The "floor" rows: the hooks runtime-lens attaches for a selection of events, each with an empty
// program (scripts/bench/floor-hooks.c), so that a runtime-lens row is compared with what merely
// having programs on its hooks costs, measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tracer, TracerId } from './tracers';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OBJECTS = path.join(REPO, 'bpf', 'linux', '.output');

/**
 * The tracepoint hooks of the probe modules' objects as floor-hooks takes them (tp:CAT:NAME,
 * raw_tp:NAME), from their program section names. Uprobes (dns) are left out: the workloads never
 * call getaddrinfo, so their cost is not in these rows.
 */
export function moduleHooks(modules: string[]): string[] {
  const hooks: string[] = [];
  for (const m of modules) {
    const obj = path.join(OBJECTS, `${m}.bpf.o`);
    const r = spawnSync('readelf', ['-SW', obj], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench: readelf -SW ${obj} failed (run npm run build): ${r.stderr || r.error}`);
    for (const [, sec] of r.stdout.matchAll(/\]\s+(\S+)\s+PROGBITS/g)) {
      const tp = /^(?:tp|tracepoint)\/([^/]+)\/(.+)$/.exec(sec!);
      const raw = /^raw_tp\/(.+)$/.exec(sec!);
      if (tp) hooks.push(`tp:${tp[1]}:${tp[2]}`);
      else if (raw) hooks.push(`raw_tp:${raw[1]}`);
    }
  }
  return hooks;
}

let built: string | null = null;

function helper(scratch: string): string {
  if (built) return built;
  const src = path.join(REPO, 'scripts', 'bench', 'floor-hooks.c');
  const bin = path.join(scratch, 'floor-hooks');
  const r = spawnSync('cc', ['-O2', '-o', bin, src, '-lbpf'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench: compiling ${src} failed (apt-get install gcc libbpf-dev): ${r.stderr || r.error}`);
  built = bin;
  return bin;
}

/** A floor row for the runtime-lens selection `events`, whose programs live in `modules`. */
export function floorTracer(id: TracerId, events: string, modules: string[]): Tracer {
  return {
    id,
    label: `floor of ${events === 'syscall' ? 'the syscall stream' : events}'s hooks (empty programs)`,
    command: `floor-hooks HOOKS -- CMD (scripts/bench/floor-hooks.c: an empty program on each tracepoint of the ${modules.join(', ')} modules)`,
    unavailable: () => (modules.every((m) => existsSync(path.join(OBJECTS, `${m}.bpf.o`))) ? null : 'probe objects missing: run npm run build'),
    wrap: (cmd, scratch) => ({ argv: [helper(scratch), ...moduleHooks(modules), '--', ...cmd], stdoutFile: '/dev/null' }),
    lost: () => null,
    slowOnSyscalls: false,
  };
}
