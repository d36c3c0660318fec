/*
 * Decoder micro-benchmark: packets of syscall records, as the full syscall
 * stream produces them, split and decoded on one core (rates per CPU second). Prints one JSON line:
 * {"eventsPerSecond": N, ...} (also the rate through enrichment and NDJSON).
 * Run: npx tsx remote-agent/src/bench/decode-bench.ts [--events N]
 */
import { PacketSplitter } from '../decode/packets';
import { PacketType } from '../decode/layout';
import { RecordDecoder, type ProbeRecord } from '../decode/records';
import type { HostFacts } from '../backend/backend';
import { Enricher } from '../enrich/enricher';
import { ndjsonLines } from '../output/ndjson';
import { ndjsonSink } from '../output/ndjson-sink';
import { Pipeline } from '../pipeline/pipeline';
import type { LensEvent } from '../protocol';
import { recordsPacket, syscallRecord } from './synthetic';

/**
 * CPU seconds (user + system) this process has used: rates are per second of one core's time,
 * so time the process waits for a CPU on a shared machine does not count against it.
 */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The benchmark's records come from no real process: a host that knows none. */
const NO_HOST: HostFacts = {
  process: () => undefined, exists: () => false, pids: () => [], cmdline: () => undefined, cwd: () => undefined,
  exe: () => undefined, uid: () => undefined, fds: () => new Map(), list: () => [], userName: String,
  exeInode: () => undefined, mappings: () => undefined, fileAs: (_pid, file) => file, memory: () => ({ read: () => undefined, close: () => {} }),
};

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const total = arg('--events', 2_000_000);
const perPacket = 512;
const chunkBytes = 64 * 1024; // a pipe read

// One stream of packets, cut into pipe-sized chunks that end mid-packet.
const records: Buffer[] = [];
for (let i = 0; i < perPacket; i++) {
  records.push(syscallRecord(i % 2 ? 0 : 1, [3n, 0x7ffd0000n + BigInt(i), 1n, 0n, 0n, 0n], 1n, 850n,
    { tsNs: 10_000_000_000n + BigInt(i) * 1000n, pid: 4242, tid: 4242, comm: 'dd' }));
}
const onePacket = recordsPacket(records);
const packetsPerStream = Math.max(1, Math.ceil(total / perPacket));
const stream = Buffer.concat(Array.from({ length: Math.min(packetsPerStream, 64) }, () => onePacket));
const chunks: Buffer[] = [];
for (let off = 0; off < stream.length; off += chunkBytes) chunks.push(stream.subarray(off, Math.min(off + chunkBytes, stream.length)));
const eventsPerPass = Math.min(packetsPerStream, 64) * perPacket;

function run(passes: number, sink: (batch: ProbeRecord[]) => void): number {
  const decoder = new RecordDecoder();
  const out: ProbeRecord[] = [];
  const splitter = new PacketSplitter((type, buf, start, end) => {
    if (type === PacketType.RECORDS) decoder.decode(buf, start, end, out);
  });
  let n = 0;
  const t0 = cpuSeconds();
  for (let p = 0; p < passes; p++) {
    for (const c of chunks) {
      splitter.push(c);
      n += out.length;
      sink(out);
      out.length = 0;
    }
  }
  const s = cpuSeconds() - t0;
  if (decoder.problemCount) throw new Error(`benchmark stream decoded with ${decoder.problemCount} problems`);
  return n / s;
}

const passes = Math.max(1, Math.round(total / eventsPerPass));
run(Math.max(1, Math.round(passes / 4)), () => {}); // warm-up
const decodeRate = run(passes, () => {});

const enricher = new Enricher({ arch: 'x86_64', realtimeOffsetNs: 1.7e18, redact: true });
let bytes = 0;
const fullPasses = Math.max(1, Math.round(passes / 4));
const fullRate = run(fullPasses, (batch) => {
  const events = new Array<LensEvent>(batch.length);
  for (let i = 0; i < batch.length; i++) events[i] = enricher.enrich(batch[i]);
  bytes += ndjsonLines(events).length;
});

// What `trace --json` does: records visited in place, through the stages, written by the NDJSON sink into one reused buffer.
function runEncoder(passes: number): number {
  const decoder = new RecordDecoder();
  let n = 0;
  const enricher = new Enricher({ arch: 'x86_64', realtimeOffsetNs: 1.7e18, redact: true });
  const pipeline = new Pipeline({ enricher, host: NO_HOST }, decoder, [ndjsonSink((batch) => { n += batch.events; })]);
  const splitter = new PacketSplitter((type, buf, start, end) => {
    if (type === PacketType.RECORDS) decoder.visit(buf, start, end, pipeline);
  });
  const t0 = cpuSeconds();
  for (let p = 0; p < passes; p++) {
    for (const c of chunks) {
      splitter.push(c);
      pipeline.flush(); // as the session does after each read
    }
  }
  return n / (cpuSeconds() - t0);
}
runEncoder(Math.max(1, Math.round(passes / 4))); // warm-up
const encoderRate = runEncoder(passes);

process.stdout.write(JSON.stringify({
  eventsPerSecond: Math.round(decodeRate),
  enrichedNdjsonEventsPerSecond: Math.round(fullRate),
  ndjsonEncoderEventsPerSecond: Math.round(encoderRate),
  events: passes * eventsPerPass,
  record: 'lens_syscall_event',
  ndjsonBytes: bytes,
}) + '\n');
