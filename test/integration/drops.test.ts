// A ring buffer too small for a burst loses events: the loss is counted and
// reported (CLI summary, RPC stats), never hidden.
import assert from 'node:assert/strict';
import { EventsNotification, InitializeRequest, SessionStartRequest, SessionStatsRequest, StateNotification } from '../../remote-agent/src/protocol';
import { AgentProcess } from '../helpers/agent';
import { requireBpf } from '../helpers/bpf';
import { cFixture } from '../helpers/fixtures';
import { waitFor } from '../helpers/procs';
import { assertExit, trace } from '../helpers/trace';

const OPENS = 200_000;

describe('ring buffer overflow', function () {
  before(function () {
    requireBpf(this);
  });

  it('trace --ringbuf-bytes 4096: lost events appear in the summary, and delivered + lost covers every open', async function () {
    const run = await trace([cFixture('burst'), String(OPENS)], ['--ringbuf-bytes', '4096', '--events', 'file']);
    assertExit(run, 0);
    assert.ok(run.summary, `summary line on stderr:\n${run.stderr}`);
    assert.ok(run.summary.lost > 0, `lost=${run.summary.lost}: ${run.summary.line}`);
    const delivered = run.events.filter((e) => e.kind === 'open' && e.path === '/dev/null').length;
    assert.ok(delivered < OPENS, `${delivered} of ${OPENS} delivered`);
    assert.ok(delivered + run.summary.lost >= OPENS, `delivered ${delivered} + lost ${run.summary.lost} < ${OPENS} opens: some loss went uncounted`);
  });

  it('session/stats over RPC reports the loss per kind', async function () {
    const agent = new AgentProcess();
    const rpc = agent.connect();
    let delivered = 0;
    let exited = false;
    rpc.onNotification(EventsNotification, (p) => {
      delivered += p.events.filter((e) => e.kind === 'open' && e.path === '/dev/null').length;
    });
    rpc.onNotification(StateNotification, (p) => {
      exited ||= p.state === 'exited';
    });
    await rpc.sendRequest(InitializeRequest, { clientName: 'integration-test' });
    const { sessionId } = await rpc.sendRequest(SessionStartRequest, {
      target: { kind: 'launch', command: [cFixture('burst'), String(OPENS)], stdio: 'null' },
      events: ['file'],
      ringbufBytes: 4096,
    });
    await waitFor('the burst session to exit', () => exited, 30_000);
    const stats = await waitFor('final stats', async () => {
      const s = await rpc.sendRequest(SessionStatsRequest, { sessionId });
      return s.state === 'exited' ? s : undefined;
    });
    assert.ok(stats.lostTotal > 0, JSON.stringify(stats));
    assert.ok((stats.lost.open ?? 0) > 0, `lost per kind: ${JSON.stringify(stats.lost)}`);
    assert.ok(delivered + stats.lostTotal >= OPENS, `delivered ${delivered} + lost ${stats.lostTotal} < ${OPENS}`);
    rpc.dispose();
    await agent.stop();
  });
});
