// A real `runtime-lens agent --stdio` process: answers a malformed message and
// keeps serving, and runs a traced session end to end over JSON-RPC.
import assert from 'node:assert/strict';
import {
  ErrorCodes,
  EventsNotification,
  InitializeRequest,
  SessionStartRequest,
  SessionStatsRequest,
  StateNotification,
  type LensEvent,
  type StateNotificationParams,
} from '../../remote-agent/src/protocol';
import { AgentProcess, frame, RawFrames } from '../helpers/agent';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { waitFor } from '../helpers/procs';

describe('agent --stdio (real process)', function () {
  it('answers a malformed message with a parse error, then answers initialize', async function () {
    const agent = new AgentProcess();
    const frames = new RawFrames(agent.child.stdout!);
    agent.child.stdin!.write(frame('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{'));
    const parseError = await frames.next('an answer to the malformed message', (m) => 'error' in m);
    assert.equal((parseError.error as { code: number }).code, ErrorCodes.ParseError, JSON.stringify(parseError));
    assert.equal(parseError.id, null);

    agent.child.stdin!.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'initialize', params: { clientName: 'integration-test' } })));
    const init = await frames.next('the initialize result', (m) => m.id === 2);
    assert.ok(init.result, `initialize failed: ${JSON.stringify(init)}; stderr: ${agent.stderr}`);
    const result = init.result as { protocolVersion: number; capabilities: { platform: string; events: string[] } };
    assert.equal(result.protocolVersion, 1);
    assert.equal(result.capabilities.platform, 'linux');
    assert.equal(agent.child.exitCode, null, 'the agent keeps serving');
    await agent.stop();
  });

  it('answers an unknown method with "method not found"', async function () {
    const agent = new AgentProcess();
    const frames = new RawFrames(agent.child.stdout!);
    agent.child.stdin!.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'lens/noSuchMethod', params: {} })));
    const answer = await frames.next('the answer to an unknown method', (m) => m.id === 7);
    assert.equal((answer.error as { code: number }).code, ErrorCodes.MethodNotFound);
    await agent.stop();
  });

  describe('sessions', function () {
    before(function () {
      requireBpf(this);
    });

    it('launches a command, streams its events in batches and reports its exit', async function () {
      const agent = new AgentProcess();
      const rpc = agent.connect();
      const events: LensEvent[] = [];
      let batches = 0;
      const states: StateNotificationParams[] = [];
      rpc.onNotification(EventsNotification, (p) => {
        batches++;
        events.push(...p.events);
      });
      rpc.onNotification(StateNotification, (p) => {
        states.push(p);
      });
      await rpc.sendRequest(InitializeRequest, { clientName: 'integration-test' });
      const dir = scratchDir('rpc-session');
      const bin = cFixture('spawn');
      const { sessionId, pid } = await rpc.sendRequest(SessionStartRequest, { target: { kind: 'launch', command: [bin, '4'], cwd: dir, stdio: 'null' } });
      const exited = await waitFor('the session to exit', () => states.find((s) => s.sessionId === sessionId && s.state === 'exited'), 20_000);
      assert.equal(exited.exitCode, 4);
      const exec = events.find((e) => e.kind === 'exec' && e.filename === bin);
      assert.ok(exec, `exec of ${bin} among ${events.length} events`);
      assert.equal(exec.pid, pid);
      await waitFor('the exit event', () => events.some((e) => e.kind === 'exit' && e.pid === pid));
      assert.ok(batches < events.length, `events arrive batched (${batches} notifications for ${events.length} events)`);
      const stats = await rpc.sendRequest(SessionStatsRequest, { sessionId });
      assert.equal(stats.lostTotal, 0);
      assert.ok(stats.total >= events.length);
      rpc.dispose();
      await agent.stop();
    });
  });
});
