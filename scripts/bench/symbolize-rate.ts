// Warm native symbolization rate: real stack snapshots (the C and C++ stack
// fixtures stopped at their marked openat, as the probe will copy them) sent
// again and again to lens-symbolize through the agent's client, pipelined.
// Reports events per second of the helper's CPU time (the goal is stated per
// core), of the agent's CPU time spent encoding requests and decoding answers
// (this process, which does nothing else), and of wall time.
//   node_modules/.bin/tsx scripts/bench/symbolize-rate.ts [--events N]
// Prints one JSON line: {"eventsPerSecond": N, ...}; `npm run bench` (section stacks) calls
// measureSymbolizeRate.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Symbolizer } from '../../remote-agent/src/symbolize/client';
import { locateSymbolizer } from '../../remote-agent/src/symbolize/locate';
import { DWARF_REGS, PT_REGS_BYTES, PT_REGS_OFFSETS, type Answer } from '../../remote-agent/src/symbolize/wire';
import { nativeFixture, SnapshotRun, type Snapshot } from '../../test/helpers/native-stacks';

const WINDOW = 512;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
}

/** Warm symbolization rates: per second of the helper's CPU, of the agent's, and of wall time. */
export interface SymbolizeRate {
  eventsPerSecond: number;
  helperCpuSeconds: number;
  agentCpuSeconds: number;
  agentEventsPerSecond: number;
  wallEventsPerSecond: number;
  wallSeconds: number;
  events: number;
  framesPerEvent: number;
  helperRssKiB: number;
  stackBytes: number[];
}

/** Sends `events` recorded stacks to a fresh lens-symbolize, WINDOW in flight. */
export async function measureSymbolizeRate(events: number): Promise<SymbolizeRate> {
  const runs = [
    new SnapshotRun([nativeFixture('stacks-c', 'c/stacks.c', 'gcc', ['-O2', '-g', '-fomit-frame-pointer']), 'deep']),
    new SnapshotRun([nativeFixture('stacks-cpp', 'c/stacks.cpp', 'g++', ['-O2', '-g'])]),
  ];
  const sym = new Symbolizer({ binary: locateSymbolizer() });
  try {
    const snaps: Snapshot[] = [];
    for (const r of runs) snaps.push(await r.snapshot());
    // the registers as the kernel will hand them over: struct pt_regs bytes
    const ptRegs = snaps.map((s) => {
      const b = Buffer.alloc(PT_REGS_BYTES);
      for (const name of DWARF_REGS) b.writeBigUInt64LE(s.regs[name] ?? 0n, PT_REGS_OFFSETS[name]);
      return b;
    });
    const send = (i: number): Promise<Answer> => {
      const s = snaps[i % snaps.length];
      return sym.unwind({ pid: s.pid, tid: s.tid, start: BigInt(s.pid), gen: 0, regs: ptRegs[i % snaps.length], stackAddr: s.regs.sp ?? 0n, stack: s.stack });
    };
    const first = await Promise.all(snaps.map((_, i) => send(i)));
    const framesPerEvent = first.reduce((n, a) => n + a.frames.length, 0) / first.length;
    if (first.some((a) => a.error || a.frames.length < 4)) throw new Error(`the warm-up answers are not full stacks: ${JSON.stringify(first.map((a) => a.error || a.frames.length))}`);
    const pid = sym.pid!;
    const cpu0 = cpuSeconds(pid);
    const agentCpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    // WINDOW requests in flight: each answer sends the next request
    let sent = 0;
    await new Promise<void>((done, fail) => {
      let answered = 0;
      const next = (): void => {
        if (sent === events) return;
        send(sent++).then(() => {
          if (++answered === events) done();
          else next();
        }, fail);
      };
      for (let i = 0; i < WINDOW; i++) next();
    });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = cpuSeconds(pid) - cpu0;
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    const agentUsage = process.cpuUsage(agentCpu0);
    const agentCpu = (agentUsage.user + agentUsage.system) / 1e6;
    return {
      eventsPerSecond: Math.round(events / cpu),
      helperCpuSeconds: cpu,
      agentCpuSeconds: agentCpu,
      agentEventsPerSecond: Math.round(events / agentCpu),
      wallEventsPerSecond: Math.round(events / wall),
      wallSeconds: wall,
      events,
      framesPerEvent,
      helperRssKiB: rssKiB,
      stackBytes: snaps.map((s) => s.stack.length),
    };
  } finally {
    sym.close();
    for (const r of runs) r.kill();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--events');
  measureSymbolizeRate(at > 0 ? Number(process.argv[at + 1]) : 200_000).then((r) => console.log(JSON.stringify(r)), (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
