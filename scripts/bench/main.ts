// `npm run bench`: workloads × tracers in one run, one markdown table with ratios against untraced,
// kernel ns per BPF program run and the agent's decode rate; written to test-output/bench.md.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureDecodeRate } from './decode-rate';
import { extensionMemorySection, measureExtensionMemory, SOAK_RATE } from './extension-memory';
import { measureKernelCost } from './kernel-cost';
import { parseOptions, USAGE } from './options';
import { cellKey, renderReport, updateReadme, type Cell, type Results } from './report';
import { measureStacks, stacksSection } from './stacks-section';
import { measureRemote, remoteSection } from './remote-section';
import { REPO, snapshotLens, TRACERS, type TracerId } from './tracers';
import { measureWebviewTable, WEBVIEW_LOAD, webviewTableSection, webviewTableUnavailable } from './webview-table';
import { WORKLOADS, type WorkloadId } from './workloads';

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    log((err as Error).message.replace(/^bench: /, ''));
    return 2;
  }
  if (!opts) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (opts.fromJson) {
    // Several files merge: e.g. the tracer table of one run and the 10-minute memory soak of another.
    const all = opts.fromJson.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as Results);
    const saved = all.reduce((a, b) => ({
      ...a,
      wallS: a.wallS + b.wallS,
      cells: [...a.cells, ...b.cells],
      workloads: a.cells.length ? a.workloads : b.workloads,
      tracers: a.cells.length ? a.tracers : b.tracers,
      reps: a.cells.length ? a.reps : b.reps,
      unavailable: { ...b.unavailable, ...a.unavailable },
      kernel: [...a.kernel, ...b.kernel],
      decode: a.decode ?? b.decode,
      extra: [...a.extra, ...b.extra],
      load: [Math.max(a.load[0], b.load[0]), Math.max(a.load[1], b.load[1])],
    }));
    saved.startedAt = new Date(saved.startedAt);
    const report = renderReport(saved);
    writeFileSync(path.resolve(REPO, opts.out), report);
    process.stdout.write(report);
    if (opts.updateReadme) {
      updateReadme(path.join(REPO, 'README.md'), report);
      log('README.md performance section updated');
    }
    return 0;
  }
  if (process.getuid?.() !== 0) log('warning: not root: eBPF tracers (runtime-lens, bpftrace, perf trace) will fail; run as root');

  const t0 = Date.now();
  // One scratch folder per run: two runs at once must not share FIFOs, binaries or trace files.
  const scratch = path.join(REPO, 'test-output', 'bench', `run-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });

  const res: Results = {
    reps: opts.reps, startedAt: new Date(), wallS: 0, workloads: opts.workloads, tracers: opts.tracers,
    cells: [], unavailable: {}, kernel: [], decode: null, extra: [], load: [os.loadavg()[0]!, 0], nice: os.getPriority(),
  };
  const tracers = opts.tracers.filter((t) => {
    const why = TRACERS[t].unavailable();
    if (why) {
      res.unavailable[t] = why;
      log(`${TRACERS[t].label}: not run: ${why}`);
    }
    return !why;
  });

  if (tracers.some((t) => t.startsWith('lens-')) || opts.sections.includes('stacks')) snapshotLens(scratch);
  const cells = new Map<string, Cell>();
  const cellOf = (w: WorkloadId, t: TracerId, v: string) => {
    const key = cellKey(w, t, v);
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { workload: w, tracer: t, variant: v, samples: [] }));
    return c;
  };

  for (const w of opts.sections.includes('tracers') ? opts.workloads : []) {
    const wl = WORKLOADS[w];
    try {
      wl.prepare(scratch);
    } catch (err) {
      log((err as Error).message);
      for (const t of tracers) cellOf(w, t, wl.variant(TRACERS[t])).error = (err as Error).message;
      continue;
    }
    // The untraced baseline runs every variant the tracers use (dd runs a smaller count under slow tracers).
    const plan: Array<[TracerId, string]> = [];
    for (const t of tracers) plan.push([t, wl.variant(TRACERS[t])]);
    for (const v of new Set(plan.map(([, v]) => v))) if (!plan.some(([t, pv]) => t === 'none' && pv === v)) plan.unshift(['none', v]);
    for (let rep = 1; rep <= opts.reps; rep++) {
      for (const [t, v] of plan) {
        const c = cellOf(w, t, v);
        const what = `${w}${v && v !== wl.variant(TRACERS.none) ? `(${v})` : ''} × ${t} run ${rep}/${opts.reps}`;
        try {
          const s = await wl.runOnce(TRACERS[t], v, scratch);
          c.samples.push(s);
          log(`${what}: ${wl.unit === 's' ? `${s.value.toFixed(3)} s` : `${Math.round(s.value)} req/s`}${s.lost !== null ? `, lost ${s.lost}` : ''}`);
        } catch (err) {
          c.error = (err as Error).message;
          log(`${what}: failed: ${c.error}`);
        }
      }
    }
  }
  res.cells = [...cells.values()];

  if (opts.sections.includes('kernel')) {
    for (const t of ['lens-default', 'lens-syscall'] as const) {
      const events = t === 'lens-default' ? 'exec,file,net,dns' : 'syscall';
      if (!tracers.includes(t)) {
        if (opts.tracers.includes(t)) res.kernel.push({ events, error: res.unavailable[t] ?? 'not run' });
        continue;
      }
      try {
        log(`kernel cost: --events ${events}`);
        res.kernel.push(await measureKernelCost(TRACERS[t], events, scratch));
      } catch (err) {
        res.kernel.push({ events, error: (err as Error).message });
        log(`kernel cost --events ${events}: failed: ${(err as Error).message}`);
      }
    }
  }
  if (opts.sections.includes('decode')) {
    try {
      log('agent decode rate');
      res.decode = measureDecodeRate();
    } catch (err) {
      res.decode = { error: (err as Error).message };
      log(`decode rate: ${(err as Error).message}`);
    }
  }

  if (opts.sections.includes('webview')) {
    const why = webviewTableUnavailable();
    try {
      log(`events table in Chromium: ${WEBVIEW_LOAD.total} events at ${WEBVIEW_LOAD.rate}/s`);
      if (why) throw new Error(why);
      res.extra.push(...webviewTableSection(await measureWebviewTable()));
    } catch (err) {
      log(`events table: ${(err as Error).message}`);
      res.extra.push(...webviewTableSection({ error: (err as Error).message }));
    }
  }
  if (opts.sections.includes('memory')) {
    const seconds = opts.long ? 600 : 60;
    try {
      log(`extension memory: ${seconds} s at ${SOAK_RATE}/s`);
      res.extra.push(...extensionMemorySection(await measureExtensionMemory(seconds, scratch), opts.long));
    } catch (err) {
      log(`extension memory: ${(err as Error).message}`);
      res.extra.push(...extensionMemorySection({ error: (err as Error).message }, opts.long));
    }
  }

  if (opts.sections.includes('stacks')) res.extra.push(...stacksSection(await measureStacks(scratch, opts.reps === 1, log), res));
  if (opts.sections.includes('remote')) res.extra.push(...remoteSection(await measureRemote(scratch, opts.reps === 1, log)));

  res.wallS = (Date.now() - t0) / 1000;
  res.load[1] = os.loadavg()[0]!;
  const report = renderReport(res);
  const out = path.resolve(REPO, opts.out);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, report);
  writeFileSync(out.replace(/(\.md)?$/, '.json'), JSON.stringify(res, null, 1));
  rmSync(scratch, { recursive: true, force: true });
  process.stdout.write(report);
  log(`report written to ${path.relative(REPO, out)}`);
  if (opts.updateReadme) {
    updateReadme(path.join(REPO, 'README.md'), report);
    log('README.md performance section updated');
  }
  return 0;
}

main().then((code) => process.exit(code), (err: Error) => {
  log(`failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
