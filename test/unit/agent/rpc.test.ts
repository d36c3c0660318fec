// JSON-RPC server over in-memory streams: initialize, unknown method, invalid params,
// malformed JSON and headers, oversized messages, bad targets — and it keeps serving after each.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ErrorCodes, type InitializeResult } from '../../../remote-agent/src/protocol';
import { listProcesses } from '../../../remote-agent/src/backend/linux/process-list';
import { readStat } from '../../../remote-agent/src/backend/linux/procfs';
import { locateProbe } from '../../../remote-agent/src/backend/linux/locate-probe';
import { privilegeFixes } from '../../../remote-agent/src/backend/linux/privileges';
import { linuxBackend } from '../../../remote-agent/src/backend/linux';
import { AgentServer, type ServerDeps } from '../../../remote-agent/src/rpc/server';
import { requireBpf } from '../../helpers/bpf';
import { waitFor } from '../../helpers/procs';

type Msg = Record<string, unknown> & { id?: unknown; result?: unknown; error?: { code: number; message: string } };

/** A raw client: writes bytes, parses Content-Length frames from the server. */
class RawClient {
  readonly toServer = new PassThrough();
  readonly fromServer = new PassThrough();
  readonly messages: Msg[] = [];
  readonly logs: string[] = [];
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  readonly server: AgentServer;

  constructor(deps: Partial<ServerDeps> = {}) {
    this.fromServer.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const len = Number(/Content-Length: (\d+)/.exec(this.buf.subarray(0, end).toString())![1]);
        if (this.buf.length < end + 4 + len) break;
        this.messages.push(JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString()));
        this.buf = this.buf.subarray(end + 4 + len);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.server = new AgentServer(this.toServer, this.fromServer, {
      backend: linuxBackend(),
      probe: () => ({ path: '/bin/true' }),
      privilegeProblem: () => null,
      onShutdown: () => {},
      log: (m) => this.logs.push(m),
      ...deps,
    });
  }

  raw(bytes: string | Buffer): void {
    this.toServer.write(bytes);
  }

  send(msg: object): void {
    const body = Buffer.from(JSON.stringify(msg));
    this.raw(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  }

  /** Resolves with the first message matching `pred` (already received or arriving later); fails after `timeoutMs`. */
  async next(pred: (m: Msg) => boolean, timeoutMs = 20000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; received: ${JSON.stringify(this.messages).slice(-1500)}; log: ${this.logs.join(' | ').slice(-500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  async request(id: number, method: string, params?: unknown): Promise<Msg> {
    this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return this.next((m) => m.id === id);
  }

  async initialize(): Promise<void> {
    const r = await this.request(0, 'initialize', { clientName: 'unit-test' });
    assert.ok(r.result, JSON.stringify(r));
  }

  close(): void {
    this.toServer.end();
  }
}

describe('JSON-RPC server', function () {
  let c: RawClient;
  afterEach(function () { c?.close(); });

  it('initialize returns the version, capabilities and no problem when the probe can run', async function () {
    c = new RawClient();
    const r = await c.request(1, 'initialize', { clientName: 'unit-test', clientVersion: '1' });
    const result = r.result as { protocolVersion: number; agentVersion: string; capabilities: { platform: string; events: string[]; attach: boolean; problem: unknown } };
    assert.equal(result.protocolVersion, 1);
    assert.match(result.agentVersion, /^\d+\.\d+\.\d+/);
    assert.equal(result.capabilities.platform, 'linux');
    assert.deepEqual(result.capabilities.events, ['exec', 'file', 'net', 'dns', 'syscall', 'syscount']);
    assert.equal(result.capabilities.problem, null);
  });

  it('initialize reports a problem with fixes when the probe is missing or unprivileged', async function () {
    c = new RawClient({ probe: () => ({ error: 'lens-probe not found (looked in /x)' }) });
    const r = await c.request(1, 'initialize', { clientName: 't' });
    const problem = (r.result as InitializeResult).capabilities.problem!;
    assert.equal(problem.code, ErrorCodes.ProbeFailed);
    assert.match(problem.message, /lens-probe not found/);
    assert.ok(problem.fixes.some((f) => f.text.includes('make -C bpf/linux')));
    c.close();
    c = new RawClient({ privilegeProblem: (probe) => ({ code: ErrorCodes.PermissionDenied, message: 'no caps', fixes: privilegeFixes(probe) }) });
    const r2 = await c.request(1, 'initialize', { clientName: 't' });
    const problem2 = (r2.result as InitializeResult).capabilities.problem!;
    assert.equal(problem2.code, ErrorCodes.PermissionDenied);
    // machine-readable: the client runs the command as root without parsing the text
    assert.deepEqual(problem2.fixes, [
      { kind: 'setcap', text: 'sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep /bin/true', command: 'setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep /bin/true', probe: '/bin/true', capabilities: ['cap_bpf', 'cap_perfmon', 'cap_dac_read_search'] },
      { kind: 'sudo', text: 'or run the agent as root (sudo)' },
    ]);
  });

  it('requires initialize before other requests', async function () {
    c = new RawClient();
    const r = await c.request(1, 'processes/list');
    assert.equal(r.error?.code, ErrorCodes.NotInitialized);
    assert.match(r.error!.message, /send "initialize" first/);
  });

  it('answers an unknown method with MethodNotFound naming it, then keeps serving', async function () {
    c = new RawClient();
    await c.initialize();
    const r = await c.request(1, 'lens/frobnicate', {});
    assert.equal(r.error?.code, ErrorCodes.MethodNotFound);
    assert.match(r.error!.message, /unknown method "lens\/frobnicate"; this agent serves: initialize, session\/start/);
    const list = await c.request(2, 'processes/list');
    assert.ok((list.result as Array<{ pid: number }>).some((p) => p.pid === process.pid));
  });

  it('rejects invalid params with the field, the expected type and what was sent', async function () {
    c = new RawClient();
    const cases: Array<[string, unknown, RegExp]> = [
      ['initialize', { clientName: 42 }, /clientName must be a non-empty string, got number/],
      ['initialize', [], /params must be an object, got an array/],
    ];
    let id = 1;
    for (const [method, params, re] of cases) {
      const r = await c.request(id++, method, params);
      assert.equal(r.error?.code, ErrorCodes.InvalidParams, JSON.stringify(r));
      assert.match(r.error!.message, re);
    }
    await c.initialize();
    const starts: Array<[unknown, RegExp]> = [
      [{ target: {} }, /target must be an object with "pid" \(attach\) or "command" \(launch\)/],
      [{ target: { pid: 'abc' } }, /target.pid must be an integer >= 1, got "abc"/],
      [{ target: { pid: -5 } }, /target.pid must be an integer >= 1/],
      [{ target: { command: [] } }, /target.command must be a non-empty array of strings/],
      [{ target: { command: ['ls', 3] } }, /target.command\[1\] must be a string, got number/],
      [{ target: { command: ['ls'], stdio: 'tty' } }, /target.stdio must be one of "inherit", "pipe", "null"/],
      [{ target: { command: ['ls'] }, events: ['exec', 'bogus'] }, /events\[1\] must be one of exec, file, net, dns, syscall, syscount/],
      [{ target: { command: ['ls'] }, ringbufBytes: 5000 }, /ringbufBytes must be a power of two >= 4096/],
      [{ target: { command: ['ls'] }, colour: true }, /params has unknown field "colour"/],
      [{ target: { kind: 'trace', pid: 5 } }, /target must be an object with "pid" \(attach\) or "command" \(launch\) and its "kind" \("launch", "attach" or "debug"\)/],
      [{ target: { kind: 'attach', command: ['ls'] } }, /target has unknown field "command"/],
      [{ target: { kind: 'debug', pid: 5 } }, /target.name must be a string, got nothing/],
    ];
    for (const [params, re] of starts) {
      const r = await c.request(id++, 'session/start', params);
      assert.equal(r.error?.code, ErrorCodes.InvalidParams, JSON.stringify(r));
      assert.match(r.error!.message, re);
    }
    const stop = await c.request(id, 'session/stop', { sessionId: 'nope' });
    assert.equal(stop.error?.code, ErrorCodes.NoSuchSession);
  });

  it('answers malformed JSON and a malformed header with ParseError (id null) and keeps serving', async function () {
    c = new RawClient();
    c.raw('Content-Length: 9\r\n\r\n{"jsonrpc');
    const e1 = await c.next((m) => m.id === null);
    assert.equal(e1.error?.code, ErrorCodes.ParseError);
    assert.match(e1.error!.message, /body is not valid JSON/);
    c.raw('Content-Lenght: 2\r\n\r\n');
    const e2 = await c.next((m) => m.id === null && m !== e1);
    assert.match(e2.error!.message, /header has no Content-Length/);
    c.send({ jsonrpc: '2.0', id: 5, method: 'initialize', params: { clientName: 'after-bad-input' } });
    assert.ok((await c.next((m) => m.id === 5)).result);
    c.send({ jsonrpc: '1.0', id: 6, method: 'doctor' });
    const e3 = await c.next((m) => m.id === 6);
    assert.equal(e3.error?.code, ErrorCodes.InvalidRequest);
  });

  it('rejects an oversized message from its header, before the body arrives, and skips the body', async function () {
    c = new RawClient();
    const size = 16 * 1024 * 1024 + 1;
    c.raw(`Content-Length: ${size}\r\n\r\n`);
    const e = await c.next((m) => m.id === null); // answered with no byte of the body sent yet
    assert.equal(e.error?.code, ErrorCodes.MessageTooLarge);
    assert.match(e.error!.message, /message of 16777217 bytes exceeds the agent's limit of 16777216 bytes/);
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    for (let sent = 0; sent < size; sent += chunk.length) c.raw(chunk.subarray(0, Math.min(chunk.length, size - sent)));
    const r = await c.request(7, 'initialize', { clientName: 'after-oversized' });
    assert.ok(r.result, JSON.stringify(r));
  });

  it('resynchronises at the next header when bad input arrives one byte at a time', async function () {
    c = new RawClient();
    const frameOf = (msg: object) => {
      const body = Buffer.from(JSON.stringify(msg));
      return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
    };
    const init = (id: number) => frameOf({ jsonrpc: '2.0', id, method: 'initialize', params: { clientName: 'bytewise' } });
    let x = 7;
    const noise = Buffer.from(Array.from({ length: 3000 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
    const input = Buffer.concat([
      Buffer.from('Content-Length: abc\r\n\r\n{"jsonrpc":"2.0","id":90,"method":"doctor"}'), init(1),
      Buffer.from('Content-Length: 500\r\n\r\n{"jsonrpc":"2.0","id":91,"method":"doctor"}'), init(2),
      noise, init(3),
    ]);
    for (const byte of input) c.raw(Buffer.of(byte));
    for (const id of [1, 2, 3]) assert.ok((await c.next((m) => m.id === id)).result, `request ${id} answered`);
    const errors = c.messages.filter((m) => m.error);
    assert.equal(errors.length, 3, JSON.stringify(errors));
    assert.ok(errors.every((e) => e.id === null && e.error!.code === ErrorCodes.ParseError), JSON.stringify(errors));
  });

  it('custom error codes lie in the project range, outside the range JSON-RPC reserves', function () {
    const standard = ['ParseError', 'InvalidRequest', 'MethodNotFound', 'InvalidParams', 'InternalError'];
    const own = Object.entries(ErrorCodes).filter(([name]) => !standard.includes(name) && !name.startsWith('ProjectRange'));
    assert.ok(own.length >= 8, JSON.stringify(own));
    for (const [name, code] of own) {
      assert.ok(code >= ErrorCodes.ProjectRangeMin && code <= ErrorCodes.ProjectRangeMax, `${name} ${code} in ${ErrorCodes.ProjectRangeMin}..${ErrorCodes.ProjectRangeMax}`);
      assert.ok(code < -32768 || code > -32000, `${name} ${code} outside -32768..-32000`);
    }
  });

  it('stops reading requests while the client does not read the answers, and answers them all once it does', async function () {
    const toServer = new PassThrough();
    const fromServer = new PassThrough(); // nobody reads it yet
    const server = new AgentServer(toServer, fromServer, { backend: linuxBackend(), probe: () => ({ path: '/bin/true' }), privilegeProblem: () => null, onShutdown: () => {}, log: () => {} }, 64 * 1024);
    const requests = 2000;
    for (let id = 1; id <= requests; id++) {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { clientName: 'flood' } }));
      toServer.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
    }
    await waitFor('the server to stop reading input', () => toServer.isPaused() && fromServer.writableLength >= 64 * 1024);
    const held = fromServer.writableLength;
    // the server handles one request per event-loop turn: 200 turns would add ~60 KB of answers if it still read requests
    for (let turn = 0; turn < 200; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(fromServer.writableLength < held + 16 * 1024, `answers stop growing while unread (${held} then ${fromServer.writableLength} bytes)`);
    let text = '';
    fromServer.on('data', (d: Buffer) => { text += d.toString(); });
    await waitFor(`all ${requests} answers`, () => (text.match(/"result"/g)?.length ?? 0) === requests);
    toServer.end();
    await server.stopAll();
  });

  it('bad targets: a pid that does not exist, a command not in PATH', async function () {
    c = new RawClient();
    await c.initialize();
    const r = await c.request(1, 'session/start', { target: { pid: 4_000_000 } });
    assert.equal(r.error?.code, ErrorCodes.NoSuchProcess);
    assert.equal(r.error?.message, 'no process with pid 4000000; pick a running process (`ps -e` lists them)');
    const r2 = await c.request(2, 'session/start', { target: { command: ['no-such-command-xyz'], env: { PATH: '/usr/bin:/bin' } } });
    assert.equal(r2.error?.code, ErrorCodes.CommandNotFound);
    assert.match(r2.error!.message, /^command not found: no-such-command-xyz \(no executable file of that name in any PATH directory\) \(fix: check the spelling, give its full path \(e\.g\. \.\/no-such-command-xyz\), or add its directory to PATH\)$/);
    assert.doesNotMatch(r2.error!.message, /\/usr\/bin/, 'the PATH is not repeated');
    const r3 = await c.request(3, 'session/start', { target: { command: ['./missing.sh'], cwd: '/tmp' } });
    assert.match(r3.error!.message, /no executable file at \/tmp\/missing.sh/);
    // a debug session's program is traced from its pid, as an attach is
    const r4 = await c.request(4, 'session/start', { target: { kind: 'debug', pid: 4_000_000, name: 'Launch app', debugType: 'node' } });
    assert.equal(r4.error?.message, 'no process with pid 4000000; pick a running process (`ps -e` lists them)');
    const ok = await c.request(5, 'doctor');
    assert.ok(Array.isArray(ok.result));
  });

  it('shutdown answers, then calls onShutdown', async function () {
    let shut = false;
    c = new RawClient({ onShutdown: () => { shut = true; } });
    const r = await c.request(1, 'shutdown');
    assert.equal(r.result, null);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(shut, true);
  });
});

describe('JSON-RPC server with the real probe', function () {
  let c: RawClient | undefined;
  const leftovers: number[] = [];
  before(function () {
    requireBpf(this);
    try {
      locateProbe();
    } catch (e) {
      if (process.env.LENS_REQUIRE_BPF === '1') throw e;
      this.skip(); // probe not built: the integration suite reports that
    }
  });
  afterEach(function () {
    c?.close();
    for (const pid of leftovers.splice(0)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  });

  it('a probe killed mid-run fails the session with a message, delivers the events it sent, and the agent keeps serving', async function () {
    this.timeout(60000);
    c = new RawClient({ probe: () => ({ path: locateProbe().path }) });
    await c.initialize();
    const start = await c.request(1, 'session/start', { events: ['exec'], target: { command: ['sleep', '30'], stdio: 'null' } });
    assert.ok(start.result, JSON.stringify(start));
    const { sessionId, pid } = start.result as { sessionId: string; pid: number };
    leftovers.push(pid);
    await c.next((m) => m.method === 'session/events' && (m.params as { events: Array<{ kind: string; pid: number; filename: string }> }).events
      .some((e) => e.kind === 'exec' && e.pid === pid && e.filename.endsWith('/sleep')));
    // this session's probe: the parent of the command it launched (other tests may run probes of their own)
    const probe = listProcesses().find((p) => p.pid === readStat(pid)?.ppid && p.comm === 'lens-probe');
    assert.ok(probe, 'the launched command is a child of lens-probe');
    process.kill(probe.pid, 'SIGKILL');
    const failed = await c.next((m) => m.method === 'session/state' && (m.params as { state: string }).state === 'failed');
    const params = failed.params as { sessionId: string; message: string; code: number };
    assert.equal(params.sessionId, sessionId);
    assert.equal(params.code, ErrorCodes.ProbeFailed);
    assert.match(params.message, /lens-probe was killed by SIGKILL; events received before that were delivered/);
    const stats = await c.request(2, 'session/stats', { sessionId });
    assert.equal((stats.result as { state: string }).state, 'failed');
    assert.ok((stats.result as { total: number }).total >= 1);
    const list = await c.request(3, 'processes/list');
    assert.ok(Array.isArray(list.result), 'the agent keeps serving');
  });
});
