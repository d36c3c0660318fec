// Renders the benchmark's results as one markdown report (table, goals, kernel cost, decode rate)
// and writes it into README.md between the bench markers.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { DecodeRate } from './decode-rate';
import type { KernelCost, PhaseCost } from './kernel-cost';
import { median } from './proc';
import { TRACERS, type TracerId } from './tracers';
import { DD_FULL, DD_SLOW, FORKEXEC_COUNT, HTTP_LOAD, WORKLOADS, type Sample, type WorkloadId } from './workloads';

/** All measurements of one workload under one tracer (one variant). */
export interface Cell {
  workload: WorkloadId;
  tracer: TracerId;
  variant: string;
  samples: Sample[];
  /** why the cell could not be measured */
  error?: string;
}

/** Everything one `npm run bench` measured. */
export interface Results {
  reps: number;
  startedAt: Date;
  wallS: number;
  workloads: WorkloadId[];
  tracers: TracerId[];
  cells: Cell[];
  unavailable: Partial<Record<TracerId, string>>;
  kernel: Array<KernelCost | { events: string; error: string }>;
  decode: DecodeRate | { error: string } | null;
  /** 1-minute load average before and after the run: others' work on the machine skews absolute numbers */
  load: [number, number];
  /** the harness's nice level (scripts/bench.sh runs it at -10 to be disturbed less by other work) */
  nice?: number;
  /** extra sections (the webview benchmark) appended as they are */
  extra: string[];
}

/** An error message as one markdown-safe line. */
export const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();

export const cellKey = (w: WorkloadId, t: TracerId, v: string) => `${w}|${t}|${v}`;

const fmtS = (s: number) => (s >= 100 ? `${s.toFixed(0)} s` : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(3)} s`);
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtRatio = (r: number) => (r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`);

function cell(res: Results, w: WorkloadId, t: TracerId, v: string): Cell | undefined {
  return res.cells.find((c) => c.workload === w && c.tracer === t && c.variant === v);
}

/** Median value of a cell's samples, or null when it has none. */
function med(c: Cell | undefined, pick: (s: Sample) => number | undefined = (s) => s.value): number | null {
  const vals = (c?.samples ?? []).map(pick).filter((x): x is number => typeof x === 'number');
  return vals.length ? median(vals) : null;
}

/** Ratio of a tracer's median to untraced at the same variant: slowdown for times, throughput share for req/s. */
export function ratio(res: Results, w: WorkloadId, t: TracerId): number | null {
  const variant = WORKLOADS[w].variant(TRACERS[t]);
  const v = med(cell(res, w, t, variant));
  const base = med(cell(res, w, 'none', variant));
  if (v === null || base === null || base === 0) return null;
  return v / base;
}

function lostText(c: Cell | undefined, t: TracerId): string {
  if (!c || c.samples.length === 0) return '';
  if (t === 'none') return '';
  if (t === 'strace') return 'none (stops the tracee)';
  const vals = c.samples.map((s) => s.lost);
  if (vals.some((v) => v === null)) return 'not reported';
  const uniq = [...new Set(vals)];
  return uniq.length === 1 ? String(uniq[0]) : vals.join(' / ');
}

function table(res: Results, notes: string[]): string {
  const rows = ['| workload | tracer | result (median) | vs untraced | lost per run | whole run: wall · CPU |', '| --- | --- | --- | --- | --- | --- |'];
  for (const w of res.workloads) {
    const wl = WORKLOADS[w];
    for (const t of res.tracers) {
      const tr = TRACERS[t];
      const variant = wl.variant(tr);
      const c = cell(res, w, t, variant);
      const head = `| ${wl.label} | ${tr.label} |`;
      if (res.unavailable[t]) {
        rows.push(`${head} not run: ${oneLine(res.unavailable[t])} | | | |`);
        continue;
      }
      if (!c || c.samples.length === 0) {
        rows.push(`${head} failed: ${oneLine(c?.error ?? 'not run')} | | | |`);
        continue;
      }
      const v = med(c)!;
      const r = ratio(res, w, t);
      let result: string;
      let vs = r === null ? '' : t === 'none' ? '1' : fmtRatio(r);
      let cpu = '';
      if (wl.unit === 's') {
        const scale = wl.scale(variant);
        result = fmtS(v * scale) + (scale !== 1 ? ' †' : '');
        const cpuS = med(c, (s) => s.cpuS);
        const wallS = med(c, (s) => s.wallS);
        const baseCpu = med(cell(res, w, 'none', variant), (s) => s.cpuS);
        const cpuRatio = cpuS !== null && baseCpu ? ` (${fmtRatio(cpuS / baseCpu)})` : '';
        if (cpuS !== null && wallS !== null) cpu = `wall ${fmtS(wallS)} · CPU ${fmtS(cpuS)}${t === 'none' ? '' : cpuRatio}${scale !== 1 ? `, count=${variant}` : ''}`;
      } else {
        result = `${fmtInt(v)} req/s`;
        if (r !== null && t !== 'none') vs = `${fmtRatio(r)} (${r >= 1 ? '+' : '−'}${Math.abs((1 - r) * 100).toFixed(1)}%)`;
        const pct = (k: keyof Sample) => `${Math.round(med(c, (s) => s[k] as number | undefined) ?? 0)}%`;
        // CPU per request of the server and its tracer: what tracing costs, whatever else runs on the machine.
        const perReq = (x: Cell | undefined) => med(x, (s) => ((s.serverCpuPct ?? 0) + (s.tracerCpuPct ?? 0)) / 100 / s.value * 1e6);
        const us = perReq(c);
        const baseUs = perReq(cell(res, w, 'none', variant));
        const usText = us === null ? '' : ` · ${us.toFixed(0)} µs/req${t !== 'none' && baseUs ? ` (${fmtRatio(us / baseUs)})` : ''}`;
        cpu = `server ${pct('serverCpuPct')} · tracer ${pct('tracerCpuPct')} · client ${pct('clientCpuPct')}${usText}`;
      }
      if (c.samples.length < res.reps) notes.push(`${wl.label} × ${tr.label}: ${c.samples.length} of ${res.reps} runs succeeded (${oneLine(c.error ?? '')}).`);
      rows.push(`${head} ${result} | ${vs} | ${lostText(c, t)} | ${cpu} |`);
    }
  }
  return rows.join('\n');
}

function goal(label: string, value: string | null, met: boolean | null): string {
  if (value === null || met === null) return `- ${label}: not measured`;
  return `- ${label}: ${value} — ${met ? 'met' : '**missed**'}`;
}

function maxLost(res: Results, w: WorkloadId, t: TracerId): number | null {
  const c = cell(res, w, t, WORKLOADS[w].variant(TRACERS[t]));
  const vals = (c?.samples ?? []).map((s) => s.lost).filter((x): x is number => x !== null);
  return vals.length ? Math.max(...vals) : null;
}

function goals(res: Results): string {
  const out: string[] = [];
  const full = ratio(res, 'dd', 'lens-syscall');
  const fullLost = maxLost(res, 'dd', 'lens-syscall');
  out.push(goal('full syscall stream on (a) ≤ 2.0× untraced with 0 lost',
    full === null ? null : `${fmtRatio(full)}, lost ${fullLost ?? 'not reported'}`,
    full === null ? null : full <= 2.0 && fullLost === 0));
  const defA = ratio(res, 'dd', 'lens-default');
  out.push(goal('default events on (a) ≤ 1.10×', defA === null ? null : fmtRatio(defA), defA === null ? null : defA <= 1.1));
  const defC = ratio(res, 'http', 'lens-default');
  out.push(goal('default events on (c) ≤ 3% fewer requests/s',
    defC === null ? null : defC <= 1 ? `${((1 - defC) * 100).toFixed(1)}% fewer` : `${((defC - 1) * 100).toFixed(1)}% more (noise)`, defC === null ? null : defC >= 0.97));
  const k = res.kernel.filter((x): x is KernelCost => !('error' in x));
  if (k.length) {
    // The statistics cost something themselves (two clock reads per run): an empty program on
    // sys_enter, measured in the same phase, gives that floor; the goal is judged above it.
    const worstOf = (pick: (x: KernelCost) => PhaseCost) => {
      const w = k.map((x) => ({ events: x.events, p: pick(x) })).sort((a, b) => (b.p.nsPerRun - b.p.emptyNsPerRun) - (a.p.nsPerRun - a.p.emptyNsPerRun))[0]!;
      const net = w.p.nsPerRun - w.p.emptyNsPerRun;
      return { net, text: `${net.toFixed(0)} ns above an empty program (raw ${w.p.nsPerRun.toFixed(0)} ns, empty program ${w.p.emptyNsPerRun.toFixed(0)} ns; worst selection: --events ${w.events})` };
    };
    const tr = worstOf((x) => x.traced);
    const un = worstOf((x) => x.untraced);
    out.push(goal('≤ 60 ns per BPF program run (traced process)', tr.text, tr.net <= 60));
    out.push(goal('≤ 15 ns per BPF program run (untraced process)', un.text, un.net <= 15));
  } else {
    out.push(goal('≤ 60 ns / ≤ 15 ns per BPF program run', null, null));
  }
  const d = res.decode && !('error' in res.decode) ? res.decode.eventsPerSecond : null;
  out.push(goal('agent decodes ≥ 1M events/s on one core', d === null ? null : `${fmtInt(d)} events/s`, d === null ? null : d >= 1e6));
  return out.join('\n');
}

/** The pipeline's goals: the full stream against untraced, the default events against the floor of their hooks. */
function pipelineGoals(res: Results): string {
  const out: string[] = [];
  const full = ratio(res, 'dd', 'lens-syscall');
  const fullLost = maxLost(res, 'dd', 'lens-syscall');
  out.push(goal('full syscall stream on (a) ≤ 2.0× untraced with 0 lost',
    full === null ? null : `${fmtRatio(full)}, lost ${fullLost ?? 'not reported'}`, full === null ? null : full <= 2.0 && fullLost === 0));
  const http = ratio(res, 'http', 'lens-syscall');
  out.push(goal('full syscall stream on (c) ≥ 0.75× untraced requests/s', http === null ? null : fmtRatio(http), http === null ? null : http >= 0.75));
  const raw = res.decode && !('error' in res.decode) ? (res.decode.raw as { ndjsonEncoderEventsPerSecond?: number }).ndjsonEncoderEventsPerSecond ?? null : null;
  out.push(goal('agent full path (decode → stages → NDJSON sink) ≥ 1M events/s on one core', raw === null ? null : `${fmtInt(raw)} events/s`, raw === null ? null : raw >= 1e6));
  for (const [w, label] of [['dd', '(a)'], ['http', '(c)']] as const) {
    const lens = ratio(res, w, 'lens-default');
    const floor = ratio(res, w, 'floor-default');
    // times grow with cost, requests/s shrink: both as "how much worse than the floor"
    const worse = lens === null || floor === null ? null : WORKLOADS[w].unit === 's' ? lens / floor : floor / lens;
    out.push(goal(`default events on ${label} within 3% of the floor of their hooks`,
      worse === null ? null : `${fmtRatio(lens!)} vs floor ${fmtRatio(floor!)} (${Math.abs((worse - 1) * 100).toFixed(1)}% ${worse >= 1 ? 'worse' : 'better'})`,
      worse === null ? null : worse <= 1.03));
  }
  return out.join('\n');
}

function phaseText(p: PhaseCost): string {
  const progs = p.programs.slice(0, 8).map((x) => `${x.name} ${(x.runTimeNs / x.runCnt).toFixed(0)} ns × ${fmtInt(x.runCnt)}`).join(', ');
  const more = p.programs.length > 8 ? `, ${p.programs.length - 8} more` : '';
  return `${fmtInt(p.runs)} program runs, **${p.nsPerRun.toFixed(1)} ns/run** ` +
    `(empty program on sys_enter in the same phase: ${p.emptyNsPerRun.toFixed(1)} ns/run) — ${progs || 'no runs'}${more}; ` +
    `all programs together ${p.kernelMs.toFixed(0)} ms; dd ${fmtS(p.ddS)} by its clock, ${fmtS(p.ddCpuS)} CPU; agent+probe CPU ${fmtS(p.consumerCpuS)}`;
}

function kernelSection(res: Results): string {
  if (res.kernel.length === 0) return '';
  const lines = ['', '**Kernel cost per BPF program run** (BPF run-time statistics on — what `kernel.bpf_stats_enabled=1` does, held through a `BPF_ENABLE_STATS` fd so that nobody resetting the sysctl can switch them off mid-run — run_time_ns/run_cnt from `bpftool prog show -j` of every program this run\'s lens-probe holds (prog_id in its /proc fdinfo; other sessions\' `lens_` programs are not counted), read just before and after the dd; a separate run from the timed ones; the programs run for every process of the machine, so other activity during the phase is counted too):', ''];
  for (const k of res.kernel) {
    if ('error' in k) {
      lines.push(`- \`--events ${k.events}\`: not measured: ${oneLine(k.error)}`);
      continue;
    }
    lines.push(`- \`--events ${k.events}\`, dd traced (lost ${k.lost ?? 'not reported'}): ${phaseText(k.traced)}`);
    lines.push(`- \`--events ${k.events}\`, untraced dd while runtime-lens traces an idle shell: ${phaseText(k.untraced)}`);
  }
  return lines.join('\n');
}

function decodeSection(res: Results): string {
  if (!res.decode) return '';
  if ('error' in res.decode) return `\n**Agent decode rate**: not measured: ${oneLine(res.decode.error)}`;
  const { script, eventsPerSecond, raw } = res.decode;
  const more = Object.entries(raw).filter(([k]) => k !== 'eventsPerSecond').map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return `\n**Agent decode rate** (\`${script}\`, one core): **${fmtInt(eventsPerSecond)} events/s**${more ? ` (${more})` : ''}`;
}

/** The whole report as markdown. */
export function renderReport(res: Results): string {
  const notes: string[] = [];
  const body = table(res, notes);
  const env = `${os.type()} ${os.release()}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`;
  const nice = res.nice ? `, at nice ${res.nice}` : '';
  const header = `Measured ${res.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${env}${nice}; whole benchmark ${fmtS(res.wallS)}; load average ${res.load[0].toFixed(1)} before, ${res.load[1].toFixed(1)} after (other work on the machine).`;
  const tracerPart = res.cells.length === 0 ? [] : [
    '',
    `Median of ${res.reps} run(s) per cell, tracers interleaved run by run.`,
    '',
    body,
    '',
    `- † strace, perf trace and bpftrace run dd with count=${fmtInt(DD_SLOW)} (every syscall costs them microseconds): the time shown is scaled ×${DD_FULL / DD_SLOW} and the ratio is taken against untraced dd at the same count (untraced count=${fmtInt(DD_SLOW)}: ${(() => { const m = med(cell(res, 'dd', 'none', String(DD_SLOW))); return m === null ? 'not run' : fmtS(m); })()}).`,
    `- (b) is a C program compiled at bench time (test/fixtures/bench/forkexec.c) that forks and execs /bin/true ${FORKEXEC_COUNT} times and prints its own clock.`,
    `- (c) test/fixtures/bench/http-server.js is the traced process; the client (scripts/bench/http-load.ts, untraced, in the harness) keeps ${HTTP_LOAD.connections} keep-alive connections with one request in flight each, ${HTTP_LOAD.warmupS} s warm-up then ${HTTP_LOAD.seconds} s measured. CPU = % of one core over the measured window, from /proc: the server process, the tracer's processes, the client. Client, server and tracer share the 2 cores, so a tracer's consumer competes with both.`,
    '- CPU ratios (whole-run CPU for (a) and (b), server+tracer CPU per request for (c)) are less sensitive than times to other load on the machine: in-kernel tracing shows up in the workload\'s system time, the consumer in the tracer\'s processes.',
    '- Whole run for (a) and (b): wall time from the tracer\'s start to its exit (start-up, attach and draining of buffered events included) and user+system CPU of every process of the run (tracer, its helpers and the workload, from bash `times`; in-kernel tracing cost is charged to the workload). Not scaled.',
    '- runtime-lens runs as `node runtime-lens.js trace --json --events … -- CMD > /dev/null` (the bundle `npx runtime-lens` runs, without npx start-up), from copies of remote-agent/dist/runtime-lens.js and bpf/linux/.output/lens-probe taken when the benchmark starts; `lost=N` is read from its stderr summary. BPF statistics are off during the timed runs.',
    '- perf trace writes to a file (`-o FILE`) that is scanned for LOST records; bpftrace prints to a file scanned for `Lost N events`. bpftrace `-c` follows only the pid it starts, so the script adds children at `sched_process_fork` to a map and prints every `raw_syscalls:sys_enter` of those pids: `' + "tracepoint:sched:sched_process_fork /pid == cpid || @t[pid]/ { @t[args->child_pid] = 1; } tracepoint:raw_syscalls:sys_enter /pid == cpid || @t[pid]/ { printf(\"%d %d %s %ld\\n\", pid, tid, comm, args->id); }" + '`.',
    '- Absolute times are noisy on shared VMs; compare the ratios, which come from one run.',
    ...notes.map((n) => `- ${n}`),
  ];
  const issue2 = res.cells.length || res.kernel.length || res.decode
    ? ['', '**Goals** (the full stream and the default events; a benchmark, not a test; ratios from the same run):', '', pipelineGoals(res),
      '', '**Goals** (the capture pipeline):', '', goals(res), kernelSection(res), decodeSection(res)]
    : [];
  const lines = [header, ...tracerPart, ...issue2, ...res.extra];
  return lines.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n') + '\n';
}

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** Puts the report between the bench markers of README.md (adding a Performance section with them if absent). */
export function updateReadme(readme: string, report: string): void {
  if (!existsSync(readme)) throw new Error(`bench: ${readme} not found: --update-readme writes into the README's performance section`);
  const text = readFileSync(readme, 'utf8');
  const section = `${README_START}\n## Benchmark\n\n\`npm run bench\` runs every part below in one go — about 10–15 minutes on a 2-core machine — and writes this report to test-output/bench.md; \`npm run bench -- --help\` lists the flags: \`--reps N\`, \`--quick\`, \`--workloads\`, \`--tracers\`, \`--sections tracers,kernel,decode,webview,memory\`, \`--long\` (10-minute memory soak), \`--update-readme\` (puts the report here).\n\n${report}${README_END}`;
  const a = text.indexOf(README_START);
  const b = text.indexOf(README_END);
  let out: string;
  if (a >= 0 && b > a) out = text.slice(0, a) + section + text.slice(b + README_END.length);
  else out = `${text.replace(/\n*$/, '\n')}\n## Performance\n\n${section}\n`;
  writeFileSync(readme, out);
}
