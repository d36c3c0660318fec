import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes, type HostInfo, type Problem } from '../../../remote-agent/src/protocol';
import { sshAgentId, LOCAL_AGENT, type AgentId } from '../../../extension/src/agent/agentId';
import { AgentManager } from '../../../extension/src/agent/agentManager';
import { AgentRegistry } from '../../../extension/src/agent/agentRegistry';
import { RECONNECT, RemoteHosts } from '../../../extension/src/hosts/remoteHosts';
import { readSessionFile } from '../../../extension/src/session/sessionFile';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import { systemClock } from '../../../extension/src/util/clock';
import { SessionsTreeProvider, type SessionsTreeElement } from '../../../extension/src/views/sessionsTree';
import { ev, FakeAgent, until } from './helpers/fakeAgent';
import { fakeVscodeTypes } from './helpers/fakeVscodeTypes';

/*
 * Remote hosts in the extension: connecting (progress, the host's facts),
 * a dropped link (sessions disconnected, events kept, the missed count said,
 * Reconnect), a refused connection (its fixes), and Disconnect. The host's
 * agent speaks the real protocol over in-memory streams.
 */
describe('remote hosts', () => {
  const TARGET = 'deploy@staging:2222';
  const INFO: HostInfo = { target: 'deploy@10.0.0.5:2222', arch: 'x86_64', kernel: '6.1.0-18-amd64', os: 'Debian GNU/Linux 12', deployDir: '/home/deploy/.cache/runtime-lens/0.1.0', deployed: 'copied', version: '0.1.0', privilege: 'sudo' };
  let dir: string;
  let sessions: SessionManager;
  let registry: AgentRegistry;
  let hosts: RemoteHosts;
  let spawned: Map<AgentId, FakeAgent[]>;
  /** how the next fake agent behaves */
  let prepare: (agent: FakeAgent) => void;
  const seen = { progress: [] as string[], titles: [] as string[], warnings: [] as { message: string; items: string[] }[], fixes: [] as { problem: Problem; headline: string }[], confirms: [] as string[] };
  let warningChoice: string | undefined;
  const fake = (id: AgentId) => spawned.get(id)!.at(-1)!;

  const addAgent = (id: AgentId, bind?: Parameters<ConstructorParameters<typeof RemoteHosts>[0]['createAgent']>[1]) => new AgentManager({
    id,
    ui: { showErrorMessage: async () => undefined },
    resolveCommand: () => ({ command: 'fake', args: [id], env: {}, agentPath: 'fake' }),
    spawn: () => {
      const agent = new FakeAgent();
      prepare(agent);
      spawned.set(id, [...(spawned.get(id) ?? []), agent]);
      return agent.transport;
    },
    clientName: 'test', clientVersion: '0', log: () => undefined,
    onClient: (c) => {
      const subs = [sessions.bindAgent(c), ...(bind ? [bind(c)] : [])];
      return { dispose: () => subs.forEach((s) => s.dispose()) };
    },
    onProblem: () => assert.fail('no problem expected'),
    restart: () => undefined,
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-hosts-'));
    spawned = new Map();
    prepare = (agent) => {
      agent.host = INFO;
      agent.progressSteps = ['connecting over ssh', 'copying lens-probe (1.2 MB)'];
    };
    warningChoice = undefined;
    for (const list of Object.values(seen)) list.length = 0;
    sessions = new SessionManager({ clock: systemClock, log: () => undefined, settings: () => ({ sessionsDirectory: dir, maxEventsInMemory: 100, events: ['exec', 'file'], redact: true }) });
    registry = new AgentRegistry();
    registry.add(addAgent(LOCAL_AGENT));
    hosts = new RemoteHosts({
      agents: registry,
      sessions,
      createAgent: (target, bind) => addAgent(sshAgentId(target), bind),
      ui: {
        showWarningMessage: async (message, ...items) => (seen.warnings.push({ message, items }), warningChoice),
        withProgress: async (title, task) => {
          seen.titles.push(title);
          return task((m) => seen.progress.push(m));
        },
        confirm: async (message) => (seen.confirms.push(message), true),
      },
      offerFixes: async (problem, headline) => void seen.fixes.push({ problem, headline }),
      log: () => undefined,
    });
  });

  afterEach(() => {
    for (const agents of spawned.values()) for (const a of agents) a.crash(0);
    hosts.dispose();
    registry.dispose();
    sessions.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the agent\'s progress shown, lists the host with its state and its sessions under it, and records the host in their files', async () => {
    const connecting = hosts.connect(TARGET);
    assert.equal(hosts.find(TARGET)?.state, 'connecting', 'listed at once, as connecting');
    const host = await connecting;
    assert.ok(host);
    assert.deepEqual(seen.titles, [`Runtime Lens: connecting to ${TARGET}`]);
    assert.deepEqual(seen.progress, ['connecting over ssh', 'copying lens-probe (1.2 MB)']);
    assert.equal(host.state, 'connected');
    assert.equal(host.stateLabel(), 'connected · Debian GNU/Linux 12 · x86_64');

    const tree = new SessionsTreeProvider(fakeVscodeTypes, sessions, systemClock, hosts);
    const local = await sessions.start(await registry.get(LOCAL_AGENT).get(), { kind: 'attach', pid: 10 }, 'local app');
    let roots = tree.getChildren();
    assert.deepEqual(roots.map((r) => r.type), ['host', 'session']);
    assert.equal(tree.getTreeItem(roots[0]).contextValue, 'host.connected');
    assert.deepEqual(tree.getChildren(roots[0]).map((c) => c.type), ['hostHint']);

    const remote = await sessions.start(await registry.get(host.agentId).get(), { kind: 'launch', command: ['make'] }, 'make');
    roots = tree.getChildren();
    assert.deepEqual(roots.map((r) => r.type === 'session' ? r.session : r.type), ['host', local]);
    assert.deepEqual(tree.getChildren(roots[0]).map((c) => (c as Extract<SessionsTreeElement, { type: 'session' }>).session), [remote]);
    assert.equal(remote.host, TARGET);
    assert.equal(remote.info().host, TARGET, 'the views name the host');
    assert.equal(local.info().host, undefined);
    assert.ok(tree.getChildren({ type: 'session', session: remote }).some((d) => d.type === 'detail' && d.id === 'host' && d.description === TARGET));

    await sessions.stop(remote);
    await until(() => !remote.live, 'the remote session to stop');
    const header = await waitForHeader(remote.file!);
    assert.equal(header.host, TARGET, 'the session file names the host');
    const reopened = await sessions.openFile(remote.file!);
    assert.equal(reopened, remote, 'the file of a listed session is that session');
    tree.dispose();
  });

  it('a dropped link ends the host\'s live sessions as disconnected, keeps their events, says how many may be missed, and reconnects', async () => {
    const host = (await hosts.connect(TARGET))!;
    const agent = fake(host.agentId);
    const local = await sessions.start(await registry.get(LOCAL_AGENT).get(), { kind: 'attach', pid: 10 }, 'local app');
    const remote = await sessions.start(await registry.get(host.agentId).get(), { kind: 'attach', pid: 77 }, 'server (pid 77)');
    const other = await sessions.start(await registry.get(host.agentId).get(), { kind: 'attach', pid: 78 }, 'worker (pid 78)');
    await agent.sendEvents(remote.agentSessionId!, [ev('exec', 1, 77), ev('open', 2, 77), ev('open', 3, 77)]);
    await until(() => remote.stats.total === 3, 'the remote events');

    warningChoice = RECONNECT;
    const reason = 'ssh: connection to 10.0.0.5 port 2222 timed out';
    // the agent ends its sessions itself, then says the link is down; one it did not end is ended by the extension
    await agent.sendState(remote.agentSessionId!, 'disconnected', { message: reason, missed: 12 });
    await agent.sendHostState({ state: 'disconnected', reason, missed: 12 });
    await until(() => host.state === 'connected' && agent.reconnects === 1, 'the host to be reconnected after the Reconnect action');

    for (const s of [remote, other]) {
      assert.equal(s.state, 'disconnected');
      assert.equal(s.message, `Disconnected from ${TARGET}: ${reason}. The events received before are kept; 12 events may have been missed.`);
    }
    assert.equal(remote.window.size, 3, 'every event received is kept');
    assert.equal(local.state, 'running', 'the local session goes on');
    assert.deepEqual(seen.warnings, [{
      message: `Runtime Lens lost the connection to ${TARGET}: ${reason}. 2 sessions ended; the events received are kept, 12 events may have been missed.`,
      items: [RECONNECT],
    }]);
    assert.deepEqual(seen.titles.at(-1), `Runtime Lens: reconnecting to ${TARGET}`);

    const file = await waitForTrailer(remote.file!);
    assert.equal(file.trailer?.state, 'disconnected');
    assert.match(file.trailer?.message ?? '', /12 events may have been missed/);
    assert.equal(file.events, 3);
  });

  it('shows the host as disconnected with an unknown missed count until reconnected by hand; a failed reconnect keeps it disconnected with its fixes', async () => {
    const host = (await hosts.connect(TARGET))!;
    const agent = fake(host.agentId);
    await agent.sendHostState({ state: 'disconnected', reason: 'network is unreachable', missed: 'unknown' });
    await until(() => host.state === 'disconnected', 'the host to be disconnected');
    assert.equal(host.stateLabel(), 'disconnected: network is unreachable · an unknown number of events may have been missed');

    agent.connectError = new ResponseError(ErrorCodes.InternalError, 'ssh: connect to host 10.0.0.5 port 2222: No route to host', { fixes: [{ kind: 'advice', text: 'check that the host is up' }] });
    assert.equal(await hosts.reconnect(host), undefined);
    assert.equal(host.state, 'disconnected');
    assert.match(host.reason ?? '', /No route to host/);
    assert.deepEqual(seen.fixes.map((f) => [f.headline, f.problem.fixes]), [[`Runtime Lens could not reconnect to ${TARGET}`, [{ kind: 'advice', text: 'check that the host is up' }]]]);

    agent.connectError = undefined;
    assert.equal(await hosts.connect(TARGET), host, 'connecting to a disconnected host reconnects it');
    assert.equal(host.state, 'connected');
  });

  it('a refused connection shows the agent\'s fix and leaves no host behind', async () => {
    const fix = { kind: 'hostCommand' as const, text: 'run once on staging: sudo setcap cap_bpf,cap_perfmon+ep ~/.cache/runtime-lens/0.1.0/lens-probe', host: TARGET, command: 'setcap cap_bpf,cap_perfmon+ep /home/deploy/.cache/runtime-lens/0.1.0/lens-probe' };
    prepare = (agent) => {
      agent.progressSteps = ['connecting over ssh'];
      agent.connectError = new ResponseError(ErrorCodes.PermissionDenied, 'deploy may not trace on staging: no root login, sudo -n asks for a password, and the probe has no capabilities', { fixes: [fix] });
    };
    assert.equal(await hosts.connect(TARGET), undefined);
    assert.deepEqual(hosts.hosts, []);
    assert.equal(registry.find(sshAgentId(TARGET)), undefined, 'its agent is gone from the registry');
    assert.equal(seen.fixes.length, 1);
    assert.equal(seen.fixes[0].headline, `Runtime Lens could not connect to ${TARGET}`);
    assert.deepEqual(seen.fixes[0].problem, { code: ErrorCodes.PermissionDenied, message: 'deploy may not trace on staging: no root login, sudo -n asks for a password, and the probe has no capabilities', fixes: [fix] });
  });

  it('Disconnect stops the host\'s live sessions after asking, and its sessions stay listed with the host named', async () => {
    const host = (await hosts.connect(TARGET))!;
    const remote = await sessions.start(await registry.get(host.agentId).get(), { kind: 'attach', pid: 77 }, 'server (pid 77)');
    assert.equal(await hosts.disconnect(host), true);
    assert.deepEqual(seen.confirms, [`1 session is tracing on ${TARGET}. Stop it and disconnect?`]);
    assert.equal(remote.state, 'stopped');
    assert.deepEqual(hosts.hosts, []);
    assert.equal(registry.find(host.agentId), undefined);
    const tree = new SessionsTreeProvider(fakeVscodeTypes, sessions, systemClock, hosts);
    const [row] = tree.getChildren();
    assert.equal(row.type === 'session' && row.session, remote);
    assert.match(String(tree.getTreeItem(row).description), new RegExp(`on ${TARGET}`));
    tree.dispose();
  });

  it('an agent that ends marks its host disconnected, with the agent\'s last words', async () => {
    const host = (await hosts.connect(TARGET))!;
    fake(host.agentId).crash(255, null, 'ssh: Connection closed by 10.0.0.5 port 2222');
    await until(() => host.state === 'disconnected', 'the host to be disconnected');
    assert.match(host.reason ?? '', /exited with code 255: ssh: Connection closed by 10\.0\.0\.5 port 2222/);
  });
});

/** The header of a session file, once written. */
async function waitForHeader(file: string) {
  const contents = await waitForTrailer(file);
  return contents.header!;
}

/** A session file's contents once its end record is written. */
async function waitForTrailer(file: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const contents = fs.existsSync(file) ? await readSessionFile(file, () => undefined).catch(() => undefined) : undefined;
    if (contents?.trailer) return contents;
    if (Date.now() > deadline) throw new Error(`${file} has no end record`);
    await new Promise((r) => setImmediate(r));
  }
}
