/*
 * Rules micro-benchmark: the developer ruleset judging a mix of events as a
 * build or an install makes them (opens of many files, execs, connects,
 * forks and exits, file operations), in the rules stage, on one core (rates
 * per CPU second). Prints one JSON line: {"eventsPerSecond": N, "findings": M, ...}.
 * Run: taskset -c 0 npx tsx remote-agent/src/bench/rules-bench.ts [--events N]
 */
import { ProcessTable } from '../enrich/process-table';
import type { StagedRecord } from '../pipeline/staged-record';
import type { LensEvent } from '../protocol';
import { compileRules } from '../rules/compile';
import { EventFacts } from '../rules/event-facts';
import { RuleIndex, RulesStage } from '../rules/rules-stage';

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const i = process.argv.indexOf('--events');
const total = i > 0 ? Number(process.argv[i + 1]) : 2_000_000;

// a process tree: npm → sh → node (an install script), and a compiler
const table = new ProcessTable();
const procs = [
  { pid: 100, ppid: 1, comm: 'npm', argv: ['node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'install'], cwd: '/work/app' },
  { pid: 200, ppid: 100, comm: 'sh', argv: ['sh', '-c', 'node install.js'], cwd: '/work/app/node_modules/pkg' },
  { pid: 300, ppid: 200, comm: 'node', argv: ['node', 'install.js'], cwd: '/work/app/node_modules/pkg' },
  { pid: 400, ppid: 100, comm: 'cc1', argv: ['cc1', '-O2', 'x.c'], cwd: '/work/app/build' },
];
for (const p of procs) {
  const e = table.touch(p.pid, p.pid * 1000, p.ppid, 1000, p.comm);
  table.onExec(e, `/usr/bin/${p.comm}`, p.argv, p.cwd, p.comm);
}

const base = (pid: number, comm: string, n: number) => ({ ts: 1.7e12 + n, pid, tid: pid, ppid: procs.find((p) => p.pid === pid)!.ppid, uid: 1000, comm, key: `${pid}:${pid * 1000}` });
const mix: LensEvent[] = [];
for (let n = 0; n < 4096; n++) {
  const r = n % 20;
  const who = procs[n % procs.length];
  const b = base(who.pid, who.comm, n);
  if (r < 13) mix.push({ ...b, kind: 'open', syscall: 'openat', path: `/work/app/node_modules/pkg${n % 97}/lib/file${n}.js`, flags: n % 5 ? 'O_RDONLY|O_CLOEXEC' : 'O_WRONLY|O_CREAT|O_TRUNC', ret: 3 });
  else if (r < 14) mix.push({ ...b, kind: 'exec', filename: '/usr/bin/cc', argv: ['cc', '-c', `f${n}.c`], cwd: '/work/app/build', ret: 0 });
  else if (r < 15) mix.push({ ...b, kind: 'connect', family: 'AF_INET', saddr: '10.0.0.2', sport: 40000 + (n % 1000), daddr: '104.16.0.35', dport: 443, proto: 'tcp', fd: 20, ret: -115, errno: 'EINPROGRESS', dns: 'registry.npmjs.org' });
  else if (r < 17) mix.push({ ...b, kind: 'fork', child_pid: 5000 + n, thread: false });
  else if (r < 18) mix.push({ ...b, kind: 'exit', exit_code: 0 });
  else if (r < 19) mix.push({ ...b, kind: 'rename', syscall: 'renameat2', path: `/work/app/tmp${n}`, path2: `/work/app/out${n}`, ret: 0 });
  else mix.push({ ...b, kind: 'dns', name: 'registry.npmjs.org', answers: ['104.16.0.35'], ret: 0 });
}

const { compiled } = compileRules([]);
const stage = new RulesStage(new RuleIndex(compiled), new EventFacts(table, () => 'dev'), () => 'read');
const r = { event: undefined as LensEvent | undefined, hold: undefined, inPlace: false } as unknown as StagedRecord;

function pass(events: number): number {
  let found = 0;
  for (let n = 0; n < events; n++) {
    r.event = mix[n & 4095];
    stage.record(r);
    const out = stage.complete(r);
    if (out) found += out.length;
  }
  return found;
}

pass(200_000); // warm-up: the JIT and the per-type rule lists
const t0 = cpuSeconds();
const findings = pass(total);
const seconds = cpuSeconds() - t0;
console.log(JSON.stringify({ eventsPerSecond: Math.round(total / seconds), events: total, cpuSeconds: Number(seconds.toFixed(3)), rules: compiled.length, findings }));
