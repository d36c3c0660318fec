// `runtime-lens agent --stdio --host` (what the extension runs for a remote host) against the real
// sshd test host: initialize connects and deploys, the process list and sessions are the host's, a
// dropped link ends the sessions "disconnected" with their events kept, and host/reconnect comes back.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { ResponseError } from 'vscode-jsonrpc/node';
import {
  ErrorCodes, EventsNotification, HostProgressNotification, HostReconnectRequest, HostStateNotification, InitializeRequest, OutputNotification,
  ProcessListRequest, SessionStartRequest, StateNotification, type HostStateParams, type LensEvent, type StateNotificationParams,
} from '../../remote-agent/src/protocol';
import { AgentProcess } from '../helpers/agent';
import { waitFor } from '../helpers/procs';
import { REMOTE_ONLY_DIR, startSshHost, type SshHost } from '../helpers/sshd';

const DATA = `${REMOTE_ONLY_DIR}/data.txt`;

/** An agent for the host and what it notified. */
function agentFor(host: SshHost, options: string[]) {
  const agent = new AgentProcess({}, [], ['--host', host.target, ...options.flatMap((o) => ['--ssh-option', o])]);
  const conn = agent.connect();
  const seen = { progress: [] as string[], host: [] as HostStateParams[], states: [] as StateNotificationParams[], events: new Map<string, LensEvent[]>(), output: '' };
  conn.onNotification(HostProgressNotification, (p) => { seen.progress.push(p.message); });
  conn.onNotification(HostStateNotification, (p) => { seen.host.push(p); });
  conn.onNotification(StateNotification, (p) => { seen.states.push(p); });
  conn.onNotification(EventsNotification, (p) => { seen.events.set(p.sessionId, [...seen.events.get(p.sessionId) ?? [], ...p.events]); });
  conn.onNotification(OutputNotification, (p) => { seen.output += Buffer.from(p.data, 'base64').toString(); });
  return { agent, conn, seen };
}

describe('remote: agent --stdio --host', function () {
  this.timeout(120_000);
  let host: SshHost;
  let options: string[];
  before(async function () {
    host = await startSshHost();
    options = [...host.sshOptions, 'ServerAliveInterval=1', 'ServerAliveCountMax=2'];
  });
  after(function () { host?.stop(); });

  it('initialize connects and deploys; the process list, launches and attaches are the host\'s; a dropped link ends sessions "disconnected"; host/reconnect', async function () {
    let loop: ChildProcess | undefined;
    const { agent, conn, seen } = agentFor(host, options);
    try {
      const init = await conn.sendRequest(InitializeRequest, { clientName: 'test' });
      assert.equal(init.host?.target, host.target);
      assert.equal(init.host?.privilege, 'root');
      assert.equal(init.host?.arch, 'x86_64');
      assert.match(init.host?.deployDir ?? '', /runtime-lens-remote\/[^/]+$/);
      assert.ok(seen.progress.some((m) => m.startsWith(`connecting to ${host.target}`)), seen.progress.join('\n'));
      await waitFor('host/state connected', () => seen.host.some((h) => h.state === 'connected'));

      // the process list comes from the host: a process whose command line names a host-only folder
      loop = host.spawn(['/bin/sh', '-c', `cd ${REMOTE_ONLY_DIR} && while :; do cat data.txt >/dev/null; sleep 0.2; done`]);
      const list = await conn.sendRequest(ProcessListRequest);
      assert.ok(list.some((p) => p.pid === loop!.pid && p.cmdline.includes(REMOTE_ONLY_DIR)), 'the loop started on the host is listed');

      const launch = await conn.sendRequest(SessionStartRequest, { target: { kind: 'launch', command: ['/bin/sh', '-c', `cat ${DATA}`], stdio: 'pipe' } });
      await waitFor('the launch to exit', () => seen.states.find((s) => s.sessionId === launch.sessionId && s.state === 'exited'));
      assert.ok((seen.events.get(launch.sessionId) ?? []).some((e) => e.kind === 'open' && e.path === DATA));
      assert.match(seen.output, /remote-only/);

      const attach = await conn.sendRequest(SessionStartRequest, { target: { kind: 'attach', pid: loop.pid! } });
      await waitFor('an open by the attached loop', () => (seen.events.get(attach.sessionId) ?? []).some((e) => e.kind === 'open' && e.path === DATA), 15_000);
      const received = seen.events.get(attach.sessionId)!.length;
      host.setLink(false);
      let ended: StateNotificationParams | undefined;
      try {
        ended = await waitFor('the attach session to end', () => seen.states.find((s) => s.sessionId === attach.sessionId && s.state !== 'running'), 30_000);
        await waitFor('host/state disconnected', () => seen.host.find((h) => h.state === 'disconnected'), 30_000);
      } finally {
        host.setLink(true);
        await host.reachable();
      }
      assert.equal(ended.state, 'disconnected');
      assert.match(ended.message ?? '', new RegExp(`the connection to ${host.target} dropped`));
      assert.equal(ended.missed, 'unknown');
      assert.ok(seen.events.get(attach.sessionId)!.length >= received, 'the events received before the drop are kept');
      await assert.rejects(conn.sendRequest(ProcessListRequest), (e: ResponseError<unknown>) => e.code === ErrorCodes.HostDisconnected);

      const again = await conn.sendRequest(HostReconnectRequest);
      assert.equal(again.deployed, 'reused');
      assert.ok((await conn.sendRequest(ProcessListRequest)).some((p) => p.pid === loop!.pid));
    } finally {
      loop?.kill('SIGKILL');
      conn.dispose();
      await agent.stop();
    }
  });

  it('initialize fails with the host\'s error code and its fix (an unknown host key)', async function () {
    const { agent, conn } = agentFor(host, options.map((o) => o.replace(/^UserKnownHostsFile=.*/, 'UserKnownHostsFile=/dev/null')));
    try {
      await assert.rejects(conn.sendRequest(InitializeRequest, { clientName: 'test' }), (e: ResponseError<{ fixes: Array<{ text: string }> }>) => {
        assert.equal(e.code, ErrorCodes.HostKeyUnknown);
        assert.match(e.data?.fixes[0]?.text ?? '', new RegExp(`connect once with \`ssh ${host.target}\``));
        return true;
      });
    } finally {
      conn.dispose();
      await agent.stop();
    }
  });
});
