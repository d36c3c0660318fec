// A ring buffer too small for a burst loses events: the loss is counted and
// reported (CLI summary, RPC stats), never hidden.
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  EventsNotification, InitializeRequest, type LensEvent, SessionStartRequest, type SessionStats, SessionStatsRequest, StateNotification,
} from '../../remote-agent/src/protocol';
import { AgentProcess } from '../helpers/agent';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { waitFor } from '../helpers/procs';
import { assertExit, trace } from '../helpers/trace';

const OPENS = 200_000;
const RENAMES = 100_000;

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

  it('trace --ringbuf-bytes 4096 of a rename storm: the summary counts delivered and lost renames, no unlinks', async function () {
    const run = await trace([cFixture('renames'), scratchDir('renames'), String(RENAMES)], ['--ringbuf-bytes', '4096', '--events', 'file']);
    assertExit(run, 0);
    assert.ok(run.summary, `summary line on stderr:\n${run.stderr}`);
    const renames = run.events.filter((e) => e.kind === 'rename').length;
    assert.equal(run.summary.counts.rename, renames, run.summary.line);
    assert.match(run.summary.line, new RegExp(`lost=${RENAMES - renames} \\(rename ${RENAMES - renames}; buffers full`), run.summary.line);
    assert.doesNotMatch(run.summary.line, /unlink/, run.summary.line);
  });

  /** Runs command over RPC with file events only in the smallest ring buffer: its final stats and the events received. */
  async function overflowSession(command: string[]): Promise<{ stats: SessionStats; events: LensEvent[] }> {
    const agent = new AgentProcess();
    const rpc = agent.connect();
    const events: LensEvent[] = [];
    let exited = false;
    rpc.onNotification(EventsNotification, (p) => {
      events.push(...p.events);
    });
    rpc.onNotification(StateNotification, (p) => {
      exited ||= p.state === 'exited';
    });
    await rpc.sendRequest(InitializeRequest, { clientName: 'integration-test' });
    const { sessionId } = await rpc.sendRequest(SessionStartRequest, { target: { kind: 'launch', command, stdio: 'null' }, events: ['file'], ringbufBytes: 4096 });
    await waitFor(`${path.basename(command[0])} to exit`, () => exited, 30_000);
    const stats = await waitFor('final stats', async () => {
      const s = await rpc.sendRequest(SessionStatsRequest, { sessionId });
      return s.state === 'exited' ? s : undefined;
    });
    rpc.dispose();
    await agent.stop();
    return { stats, events };
  }

  it('session/stats over RPC reports the loss per kind', async function () {
    const { stats, events } = await overflowSession([cFixture('burst'), String(OPENS)]);
    const delivered = events.filter((e) => e.kind === 'open' && e.path === '/dev/null').length;
    assert.ok(stats.lostTotal > 0, JSON.stringify(stats));
    assert.ok((stats.lost.open ?? 0) > 0, `lost per kind: ${JSON.stringify(stats.lost)}`);
    assert.ok(delivered + stats.lostTotal >= OPENS, `delivered ${delivered} + lost ${stats.lostTotal} < ${OPENS}`);
  });

  it('a rename storm in the smallest ring buffer: lost and delivered events are counted as renames, none as unlinks', async function () {
    const { stats, events } = await overflowSession([cFixture('renames'), scratchDir('renames'), String(RENAMES)]);
    const renames = events.filter((e) => e.kind === 'rename').length;
    const counts = `lost ${JSON.stringify(stats.lost)}, delivered ${JSON.stringify(stats.events)}`;
    assert.ok((stats.lost.rename ?? 0) > 0, counts);
    assert.equal(stats.lost.rename, stats.lostTotal, counts);
    assert.equal(stats.lost.unlink, undefined, counts);
    assert.equal(stats.events.unlink, undefined, counts);
    assert.equal(stats.events.rename, renames, `stats count the renames received: ${counts}`);
    assert.equal(renames + stats.lost.rename, RENAMES, `every rename delivered or lost: ${counts}`);
  });
});
