// session/stop on a launched program that would run forever: the session ends as 'stopped' (the
// probe's last packets arrive before the fallback kill would turn it into 'failed'), the events
// captured before the stop are all delivered, the target is terminated, and shutdown still answers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  EventsNotification, InitializeRequest, SessionStartRequest, SessionStopRequest, ShutdownRequest, StateNotification, StatsNotification,
  type LensEvent, type SessionStats, type StateNotificationParams,
} from '../../../remote-agent/src/protocol';
import { AgentProcess } from '../../helpers/agent';
import { requireBpf } from '../../helpers/bpf';
import { NODE, scratchDir } from '../../helpers/fixtures';
import { waitFor } from '../../helpers/procs';

/** 'gone', or the one-letter state of /proc/PID/stat (Z: exited, not reaped yet). */
function procState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return 'gone';
  }
}

describe('session/stop with the real probe', function () {
  before(function () {
    requireBpf(this);
  });

  for (const { label, script } of [
    { label: 'a target that exits on SIGTERM', script: '' },
    { label: 'a target that ignores SIGTERM', script: 'process.on("SIGTERM", () => {});' },
  ]) {
    it(`ends as 'stopped' with every event before the stop, and terminates ${label}`, async function () {
      this.timeout(60_000);
      const agent = new AgentProcess();
      const rpc = agent.connect();
      const events: LensEvent[] = [];
      const states: StateNotificationParams[] = [];
      const stats: SessionStats[] = [];
      rpc.onNotification(EventsNotification, (p) => { events.push(...p.events); });
      rpc.onNotification(StateNotification, (p) => { states.push(p); });
      rpc.onNotification(StatsNotification, (p) => { stats.push(p); });
      await rpc.sendRequest(InitializeRequest, { clientName: 'session-stop-test' });
      const dir = scratchDir('session-stop');
      const code = `${script} require("fs").readFileSync("/etc/hostname"); setInterval(() => {}, 1000);`;
      const { sessionId, pid } = await rpc.sendRequest(SessionStartRequest, { target: { kind: 'launch', command: [NODE, '-e', code], cwd: dir, stdio: 'null' } });
      await waitFor('the open of /etc/hostname', () => events.some((e) => e.kind === 'open' && e.pid === pid && e.path === '/etc/hostname'), 20_000);
      const before = events.length;

      const final = await rpc.sendRequest(SessionStopRequest, { sessionId });
      const ended = states.filter((s) => s.sessionId === sessionId && s.state !== 'running');
      assert.deepEqual(ended.map((s) => s.state), ['stopped'], `one final state, 'stopped': ${JSON.stringify(ended)}\nagent stderr:\n${agent.stderr}`);
      assert.equal(final.state, 'stopped');
      assert.ok(final.endedAt, 'the stop answer carries the final stats');
      assert.ok(events.length >= before && final.total === events.length, `every event counted was delivered (${final.total} counted, ${events.length} received)`);
      assert.equal(final.lostTotal, 0);
      assert.ok(events.some((e) => e.kind === 'exec' && e.pid === pid), 'the exec of the target is delivered');
      assert.equal(stats.at(-1)?.state, 'stopped', 'a last stats notification reports the stop');

      await waitFor(`the launched target (pid ${pid}) to be terminated`, () => ['Z', 'X', 'gone'].includes(procState(pid)), 10_000);
      await rpc.sendRequest(ShutdownRequest);
      assert.equal(await agent.exited, 0, agent.stderr);
      rpc.dispose();
    });
  }
});
