// The agent's stdio transport against a hostile or absent client, with real
// `runtime-lens agent --stdio` processes: every kind of malformed input is
// answered and the next valid requests are served; a client that stops reading
// while events flood in leaves the agent's memory bounded, and the events it
// could not take are counted as lost with their reason; session/input to a
// target that never reads is refused beyond its bound.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ErrorCodes, EventsNotification, INPUT_PENDING_MAX_BYTES, InitializeRequest, MAX_MESSAGE_BYTES, SessionInputRequest,
  SessionStartRequest, SessionStatsRequest, SessionStopRequest,
} from '../../remote-agent/src/protocol';
import { AgentProcess, frame, RawFrames } from '../helpers/agent';
import { requireBpf } from '../helpers/bpf';
import { NODE, scratchDir, scriptFixture } from '../helpers/fixtures';
import { waitFor } from '../helpers/procs';

const RSS_LIMIT = 256 * 1024 * 1024;

/** Resident memory of a process, from /proc (bytes). */
function rssOf(pid: number): number {
  const kb = /^VmRSS:\s*(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  assert.ok(kb, `VmRSS of ${pid}`);
  return Number(kb) * 1024;
}

/** Deterministic "random" bytes (xorshift32), so a failure can be replayed. */
function noise(bytes: number, seed = 0x2545f491): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const initialize = (id: number) => frame(JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { clientName: 'transport-test' } }));

/** Each malformed input, the error it must get, and the text that error must have. */
const MALFORMED: Array<{ name: string; bytes: () => Buffer; code: number; message: RegExp }> = [
  {
    name: 'Content-Length: abc',
    bytes: () => Buffer.from('Content-Length: abc\r\n\r\n{"jsonrpc":"2.0","id":900,"method":"doctor"}'),
    code: ErrorCodes.ParseError, message: /Content-Length "abc" is not a number/,
  },
  {
    name: 'a header without Content-Length',
    bytes: () => Buffer.from('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{"jsonrpc":"2.0","id":900,"method":"doctor"}'),
    code: ErrorCodes.ParseError, message: /header has no Content-Length/,
  },
  {
    name: '100 KB of random bytes',
    bytes: () => noise(100 * 1024),
    code: ErrorCodes.ParseError, message: /malformed message: .*skipped up to the next "Content-Length:" header/,
  },
  {
    name: 'a claimed length of 15 digits',
    bytes: () => Buffer.from('Content-Length: 999999999999999\r\n\r\n{"jsonrpc":"2.0","id":900,"method":"doctor"}'),
    code: ErrorCodes.MessageTooLarge, message: /message of 999999999999999 bytes exceeds the agent's limit of 16777216 bytes/,
  },
  {
    name: 'a claimed length of 40 digits',
    bytes: () => Buffer.from(`Content-Length: ${'9'.repeat(40)}\r\n\r\n{}`),
    code: ErrorCodes.MessageTooLarge, message: /a 40-digit number of bytes exceeds the agent's limit/,
  },
  {
    name: 'a length just beyond the maximum message size, with its body',
    bytes: () => Buffer.concat([Buffer.from(`Content-Length: ${MAX_MESSAGE_BYTES + 1}\r\n\r\n`), Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x61)]),
    code: ErrorCodes.MessageTooLarge, message: new RegExp(`message of ${MAX_MESSAGE_BYTES + 1} bytes exceeds`),
  },
  {
    name: 'a claimed length longer than the body sent',
    bytes: () => Buffer.from('Content-Length: 100000\r\n\r\n{"jsonrpc":"2.0","id":900,"method":"doctor"}'),
    code: ErrorCodes.ParseError, message: /Content-Length of 100000 bytes is more than the body sent/,
  },
  {
    name: 'a body that is not JSON',
    bytes: () => frame('{"jsonrpc":"2.0","id":900,"method":'),
    code: ErrorCodes.ParseError, message: /body is not valid JSON/,
  },
  {
    name: 'an id that is an object',
    bytes: () => frame('{"jsonrpc":"2.0","id":{"n":1},"method":"doctor"}'),
    code: ErrorCodes.InvalidRequest, message: /"id" must be a string or a number, got object/,
  },
  {
    name: 'an id that is a boolean',
    bytes: () => frame('{"jsonrpc":"2.0","id":true,"method":"doctor"}'),
    code: ErrorCodes.InvalidRequest, message: /"id" must be a string or a number, got boolean/,
  },
  {
    name: 'a request with id null',
    bytes: () => frame('{"jsonrpc":"2.0","id":null,"method":"doctor"}'),
    code: ErrorCodes.InvalidRequest, message: /"id" null is not answered/,
  },
];

describe('agent transport (real agent processes)', function () {
  describe('recovers after malformed input', function () {
    for (const kind of MALFORMED) {
      it(`${kind.name}: answers with an error, then answers 20 valid requests`, async function () {
        const agent = new AgentProcess();
        const frames = new RawFrames(agent.child.stdout!);
        agent.child.stdin!.write(kind.bytes());
        for (let id = 1; id <= 20; id++) agent.child.stdin!.write(initialize(id));
        const error = await frames.next(`the error for ${kind.name}`, (m) => 'error' in m);
        assert.equal((error.error as { code: number }).code, kind.code, JSON.stringify(error));
        assert.match((error.error as { message: string }).message, kind.message);
        assert.equal(error.id, null);
        for (let id = 1; id <= 20; id++) {
          const answer = await frames.next(`the answer to request ${id}; stderr: ${agent.stderr}`, (m) => m.id === id);
          assert.ok(answer.result, JSON.stringify(answer));
        }
        assert.equal(frames.messages.filter((m) => 'error' in m).length, 1, `one error for one malformed input: ${JSON.stringify(frames.messages.filter((m) => 'error' in m))}`);
        await agent.stop();
      });
    }
  });

  describe('backpressure', function () {
    before(function () {
      requireBpf(this);
    });

    it('a client that stops reading for 60 s at 60k events/s: RSS stays under 256 MB, the dropped events are counted as lost, "client not reading"', async function () {
      this.timeout(240_000); // 60 s of stall, then the backlog drains: slow on a loaded machine
      const STALL_MS = 60_000;
      const agent = new AgentProcess();
      const rpc = agent.connect();
      try {
        let received = 0;
        rpc.onNotification(EventsNotification, (p) => { received += p.events.length; });
        await rpc.sendRequest(InitializeRequest, { clientName: 'transport-test' });
        const dir = scratchDir('transport-stall');
        // 60,000 opens per second (the fixture catches up owed opens), for longer than the stall; stopped after it
        const { sessionId } = await rpc.sendRequest(SessionStartRequest, {
          target: { kind: 'launch', command: [NODE, scriptFixture('bench/open-loop.js'), String(STALL_MS / 1000 + 10), '60000', `${dir}/f`], cwd: dir, stdio: 'null' },
          events: ['file'],
        });
        await waitFor('the first events', () => received > 0, 20_000);

        agent.child.stdout!.pause(); // the client stops reading
        const stalledUntil = Date.now() + STALL_MS;
        let maxRss = 0;
        while (Date.now() < stalledUntil) {
          maxRss = Math.max(maxRss, rssOf(agent.child.pid!));
          await new Promise((resolve) => setTimeout(resolve, 500)); // sampling interval, not synchronisation
        }
        agent.child.stdout!.resume();

        const during = await rpc.sendRequest(SessionStatsRequest, { sessionId });
        const final = await rpc.sendRequest(SessionStopRequest, { sessionId });
        const report = `max RSS ${(maxRss / 2 ** 20).toFixed(0)} MiB; stats after the stall: ${JSON.stringify(during)}; final: ${JSON.stringify(final)}; received ${received}`;
        assert.ok(maxRss < RSS_LIMIT, `agent RSS while the client was not reading: ${report}`);
        const notRead = during.lostReasons?.client_not_reading ?? 0;
        assert.ok(notRead > 100_000, `events dropped while the client was not reading are counted: ${report}`);
        assert.ok((during.lost.open ?? 0) >= notRead, `the loss counted by kind: ${report}`);
        for (const s of [during, final]) {
          const byReason = Object.values(s.lostReasons ?? {}).reduce((a, b) => a + b, 0);
          assert.equal(byReason, s.lostTotal, `every loss has a reason: ${report}`);
        }
        assert.ok((final.lostReasons?.client_not_reading ?? 0) >= notRead, report);
        // the stop answer comes after every batch the agent sent: what it counts as delivered has arrived
        assert.equal(received, final.total, `events the agent counts as delivered reached the client: ${report}`);
      } finally {
        // also after a failure: a reader left with a partial message re-arms its timer and keeps mocha alive
        rpc.dispose();
        await agent.stop();
      }
    });

    it('session/input to a target that never reads: refused with InputNotRead beyond the bound, the agent stays small and serving', async function () {
      this.timeout(60_000);
      const agent = new AgentProcess();
      const rpc = agent.connect();
      await rpc.sendRequest(InitializeRequest, { clientName: 'transport-test' });
      const { sessionId } = await rpc.sendRequest(SessionStartRequest, { target: { kind: 'launch', command: ['sleep', '60'], stdio: 'pipe' }, events: ['exec'] });
      const chunk = Buffer.alloc(1024 * 1024, 0x78).toString('base64');
      let accepted = 0;
      let refusal: { code: number; message: string } | undefined;
      let refused = 0;
      for (let i = 0; i < 160; i++) { // 160 MiB
        try {
          await rpc.sendRequest(SessionInputRequest, { sessionId, data: chunk });
          accepted++;
        } catch (e) {
          refusal ??= e as { code: number; message: string };
          refused++;
        }
      }
      assert.ok(refusal, `some input refused (${accepted} MiB accepted)`);
      assert.equal(refusal.code, ErrorCodes.InputNotRead);
      assert.match(refusal.message, /input of 1048576 bytes refused: the target has not read the last \d+ bytes sent to its stdin/);
      assert.ok(accepted * 2 ** 20 <= INPUT_PENDING_MAX_BYTES + 2 ** 20, `${accepted} MiB accepted, bound ${INPUT_PENDING_MAX_BYTES} bytes`);
      assert.equal(accepted + refused, 160);
      const rss = rssOf(agent.child.pid!);
      assert.ok(rss < RSS_LIMIT, `agent RSS ${(rss / 2 ** 20).toFixed(0)} MiB after 160 MiB of input for a target that does not read`);
      const stats = await rpc.sendRequest(SessionStatsRequest, { sessionId });
      assert.equal(stats.state, 'running', 'the session goes on');
      await rpc.sendRequest(SessionStopRequest, { sessionId });
      rpc.dispose();
      await agent.stop();
    });
  });
});
