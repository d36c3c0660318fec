// `--events syscount` over JSON-RPC: the in-kernel per-process syscall counts are keyed by process
// (pid + start time), so a pid given to a second process gives a second set of summary rows.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { AgentProcess } from '../helpers/agent';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { waitFor } from '../helpers/procs';
import {
  EventsNotification, InitializeRequest, SessionStartRequest, StateNotification, SyscallSummaryRequest,
  type ForkEvent, type LensEvent, type StateNotificationParams,
} from '../../remote-agent/src/protocol';

describe('syscall summary: one set of rows per process', function () {
  this.timeout(60_000);
  before(function () {
    requireBpf(this);
  });

  it('counts a reused pid\'s two processes apart, each under its own key', async function () {
    const dir = realpathSync(scratchDir('syscount-reuse'));
    const agent = new AgentProcess();
    const rpc = agent.connect();
    const events: LensEvent[] = [];
    let state: StateNotificationParams | undefined;
    rpc.onNotification(EventsNotification, (p) => { events.push(...p.events); });
    rpc.onNotification(StateNotification, (p) => { state = p; });
    try {
      await rpc.sendRequest(InitializeRequest, { clientName: 'integration-test' });
      const { sessionId, pid: mainPid } = await rpc.sendRequest(SessionStartRequest, {
        target: { kind: 'launch', command: [cFixture('reuse'), dir], cwd: dir, stdio: 'null' }, events: ['exec', 'syscount'],
      });
      const ended = await waitFor('the fixture to exit', () => state?.state === 'exited' && state, 30_000);
      assert.equal(ended.exitCode, 0, `the fixture reused a pid (exit 2: it could not); agent stderr: ${agent.stderr}`);
      const forks = events.filter((e): e is ForkEvent => e.kind === 'fork' && e.pid === mainPid && !e.thread);
      assert.equal(forks.length, 2, `two forks of ${mainPid}: ${JSON.stringify(forks)}`);
      const [first, second] = forks;
      assert.equal(first.child_pid, second.child_pid, 'both children had one pid');
      assert.ok(first.child_key && second.child_key && first.child_key !== second.child_key, `two keys: ${first.child_key}, ${second.child_key}`);
      const pid = first.child_pid;
      const rows = await waitFor('summary rows of both children', async () => {
        const all = await rpc.sendRequest(SyscallSummaryRequest, { sessionId });
        const mine = all.filter((r) => r.pid === pid);
        return new Set(mine.map((r) => r.key)).size >= 2 && mine;
      }, 20_000);
      assert.deepEqual([...new Set(rows.map((r) => r.key))].sort(), [first.child_key, second.child_key].sort(), 'the rows of that pid are its two processes\'');
      for (const key of [first.child_key, second.child_key]) {
        const open = rows.find((r) => r.key === key && r.name === 'openat');
        assert.equal(open?.count, 1, `${key} opened one file: ${JSON.stringify(rows.filter((r) => r.key === key))}`);
      }
    } finally {
      rpc.dispose();
      await agent.stop();
    }
  });
});
