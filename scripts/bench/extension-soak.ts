// Child process of the extension memory benchmark: the extension host's event path (Session with its
// bounded window and process tree, the session file recorder, the webview batcher) fed at a fixed rate.
// Usage: tsx scripts/bench/extension-soak.ts SECONDS RATE DIR  — prints one JSON line per memory sample.
import path from 'node:path';
import type { LensEvent } from '../../remote-agent/src/protocol';
import { Session } from '../../extension/src/session/session';
import { SessionRecorder } from '../../extension/src/session/sessionFile';
import { WebviewBatcher } from '../../extension/src/webviews/messageBatcher';
import { DEFAULT_EVENTS_IN_MEMORY } from '../../extension/src/settings';
import { systemClock } from '../../extension/src/util/clock';

const [secondsArg, rateArg, dir] = process.argv.slice(2);
const seconds = Number(secondsArg);
const rate = Number(rateArg);
if (!(seconds > 0) || !(rate > 0) || !dir) {
  process.stderr.write('usage: extension-soak.ts SECONDS RATE DIR (positive numbers and a scratch folder)\n');
  process.exit(2);
}

const file = path.join(dir, 'soak.lens.ndjson.gz');
const target = { kind: 'launch' as const, command: ['soak'], cwd: dir };
const session = new Session({ id: 'soak', title: 'soak', target, fromFile: false, maxEventsInMemory: DEFAULT_EVENTS_IN_MEMORY, clock: systemClock, file });
// What the recorder reports (e.g. compression falling behind the event rate) is what a user would be
// shown: kept and printed with the samples, not fatal.
const problems = new Set<string>();
session.recorder = new SessionRecorder(file, { runtimeLens: 'session', version: 1, title: 'soak', target, startedAt: Date.now() }, (err) => problems.add(err.message));
session.setState('running');
// What a webview panel costs the extension: batching, then serialisation (VS Code posts JSON).
let postedBytes = 0;
const batcher = new WebviewBatcher((m) => (postedBytes += JSON.stringify(m).length), { clock: systemClock });
session.onDidAddEvents((events) => batcher.send({ type: 'events', sessionId: 'soak', events }));

// Events arrive as the agent's JSON-RPC notifications do: a JSON text per batch, parsed here.
// The texts are made up front, so that making them is not charged to the extension's side.
const BATCH_MS = 50;
const BATCH = 1000;
let n = 0;
function batchJson(count: number): string {
  const events: LensEvent[] = [];
  for (let i = 0; i < count; i++, n++) {
    const pid = 7000 + (n % 50);
    const base = { ts: Date.now(), pid, tid: pid, ppid: 6999, uid: 1000, comm: `worker-${pid % 7}`, key: `${pid}:1000` };
    if (n % 10 < 7) events.push({ ...base, kind: 'syscall', name: 'read', nr: 0, args: ['0x3', '0x7ffd5e1c2000', '0x1000', '0x0', '0x0', '0x0'], ret: 4096, dur_ns: n % 9000 });
    else if (n % 10 < 9) events.push({ ...base, kind: 'open', syscall: 'openat', path: `/home/dev/app/data/file-${n % 5000}.json`, flags: 'O_RDONLY', ret: 3 });
    else events.push({ ...base, kind: 'connect', family: 'AF_INET', saddr: '127.0.0.1', sport: 40000 + (n % 20000), daddr: '127.0.0.1', dport: 8080, proto: 'tcp', fd: 5, ret: 0 });
  }
  return JSON.stringify({ jsonrpc: '2.0', method: 'session/events', params: { sessionId: 'soak', events } });
}

const texts = Array.from({ length: 64 }, () => batchJson(BATCH));
const t0 = Date.now();
let sent = 0;
// With --expose-gc, a full collection before each sample makes heapMB the live size, not garbage awaiting collection.
const gc = (globalThis as { gc?: () => void }).gc;
function sample(): void {
  gc?.();
  const m = process.memoryUsage();
  const line = { t: (Date.now() - t0) / 1000, events: sent, rssMB: m.rss / 1048576, heapMB: m.heapUsed / 1048576, externalMB: (m.external + m.arrayBuffers) / 1048576,
    window: session.window.size, posted: batcher.posted, droppedFromView: batcher.dropped, postedMB: postedBytes / 1048576, recorded: session.recorder?.recorded ?? 0,
    problems: [...problems] };
  process.stdout.write(JSON.stringify(line) + '\n');
}
const sampler = setInterval(sample, 5000);
const feeder = setInterval(() => {
  const due = ((Date.now() - t0) / 1000) * rate;
  while (sent + BATCH <= due) {
    const msg = JSON.parse(texts[(sent / BATCH) % texts.length]!) as { params: { events: LensEvent[] } };
    session.addEvents(msg.params.events);
    sent += BATCH;
  }
  if (Date.now() - t0 >= seconds * 1000) {
    clearInterval(feeder);
    clearInterval(sampler);
    sample();
    session.setState('exited', { exitCode: 0 });
    const closing = Date.now();
    session.recorder!.close({ state: 'exited', endedAt: Date.now(), exitCode: 0 }).then(() => {
      batcher.dispose();
      process.stdout.write(JSON.stringify({ closeS: (Date.now() - closing) / 1000 }) + '\n');
      process.exit(0);
    }, (err: Error) => {
      process.stderr.write(`closing the session file failed: ${err.message}\n`);
      process.exit(1);
    });
  }
}, BATCH_MS);
