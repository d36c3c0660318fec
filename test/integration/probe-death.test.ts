// A probe that dies under load takes the events it had queued with it: the CLI summary and
// session/stats say how many at least (lost>=N, lostBound 'atLeast') or that it is unknown,
// never lost=0, and never more than were really lost.
import assert from 'node:assert/strict';
import { EventsNotification, InitializeRequest, SessionStartRequest, SessionStatsRequest, StateNotification } from '../../remote-agent/src/protocol';
import { AgentProcess } from '../helpers/agent';
import { requireBpf } from '../helpers/bpf';
import { cFixture } from '../helpers/fixtures';
import { descendants, isAlive, waitFor } from '../helpers/procs';
import { startCli } from '../helpers/trace';

const OPENS = 3_000_000;

/** SIGKILLs the lens-probe under `root`, and the burst it launched (so nothing outlives the test). */
function killProbe(root: number): void {
  const procs = descendants(root);
  const probe = procs.find((p) => p.comm === 'lens-probe');
  assert.ok(probe, `a lens-probe under pid ${root}: ${JSON.stringify(procs)}`);
  const burst = descendants(probe.pid).filter((p) => p.comm === 'burst');
  process.kill(probe.pid, 'SIGKILL');
  for (const b of burst) if (isAlive(b.pid)) process.kill(b.pid, 'SIGKILL');
}

describe('probe killed under load', function () {
  before(function () {
    requireBpf(this);
  });

  it('trace: the summary says lost>=N or lost=unknown, never lost=0, and N never exceeds the loss', async function () {
    const run = startCli(['trace', '--json', '--events', 'file', '--', cFixture('burst'), String(OPENS)]);
    await waitFor('20k open events', () => run.events().length >= 20_000, 30_000);
    killProbe(run.child.pid!);
    const result = await run.done;
    const delivered = result.events.filter((e) => e.kind === 'open' && e.path === '/dev/null').length;
    assert.ok(result.summary, `summary line on stderr:\n${result.stderr}`);
    const { lost, lostBound, line } = result.summary;
    assert.ok(lostBound === 'unknown' || (lostBound === 'atLeast' && lost > 0), `the loss is reported: ${line}`);
    assert.ok(delivered + lost <= OPENS, `delivered ${delivered} + at least ${lost} lost exceeds the ${OPENS} opens made: ${line}`);
    assert.match(result.stderr, /lens-probe was killed by SIGKILL; .*(at least \d+ it had queued were lost|how many is unknown)/);
    assert.equal(result.code, 1);
  });

  it('session/stats over RPC carries the loss and its bound', async function () {
    const agent = new AgentProcess();
    const rpc = agent.connect();
    let delivered = 0;
    let state = '';
    rpc.onNotification(EventsNotification, (p) => { delivered += p.events.filter((e) => e.kind === 'open').length; });
    rpc.onNotification(StateNotification, (p) => { state = p.state; });
    await rpc.sendRequest(InitializeRequest, { clientName: 'integration-test' });
    const { sessionId } = await rpc.sendRequest(SessionStartRequest, {
      target: { kind: 'launch', command: [cFixture('burst'), String(OPENS)], stdio: 'null' }, events: ['file'],
    });
    await waitFor('20k open events', () => delivered >= 20_000, 30_000);
    killProbe(agent.child.pid!);
    await waitFor('the session to fail', () => state === 'failed', 30_000);
    const stats = await rpc.sendRequest(SessionStatsRequest, { sessionId });
    assert.ok(stats.lostBound === 'unknown' || (stats.lostBound === 'atLeast' && stats.lostTotal > 0), JSON.stringify(stats));
    assert.ok(delivered + stats.lostTotal <= OPENS, `delivered ${delivered} + lost ${stats.lostTotal} > ${OPENS}`);
    rpc.dispose();
    await agent.stop();
  });
});
