// The agent's stdio transport against a hostile client, with real
// `runtime-lens agent --stdio` processes: every kind of malformed input is
// answered and the next valid requests are served.
import assert from 'node:assert/strict';
import { ErrorCodes, MAX_MESSAGE_BYTES } from '../../remote-agent/src/protocol';
import { AgentProcess, frame, RawFrames } from '../helpers/agent';

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
});
