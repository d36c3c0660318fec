import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOCAL_AGENT, sshAgentId, type AgentId } from '../../../extension/src/agent/agentId';
import { AgentManager } from '../../../extension/src/agent/agentManager';
import { AgentRegistry } from '../../../extension/src/agent/agentRegistry';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import { systemClock } from '../../../extension/src/util/clock';
import { ev, FakeAgent, until } from './helpers/fakeAgent';

/*
 * Several agents at once: each registry entry starts its own agent, and the
 * sessions of two agents stay apart even when both agents give them the same id.
 */
describe('agent registry', () => {
  let dir: string;
  let sessions: SessionManager;
  let registry: AgentRegistry;
  /** the fake agent processes started for each id, newest last */
  let spawned: Map<AgentId, FakeAgent[]>;
  const logs: string[] = [];

  const addAgent = (id: AgentId) => registry.add(new AgentManager({
    id,
    ui: { showErrorMessage: async () => undefined },
    resolveCommand: () => ({ command: 'fake', args: [id], env: {}, agentPath: 'fake' }),
    spawn: () => {
      const agent = new FakeAgent();
      spawned.set(id, [...(spawned.get(id) ?? []), agent]);
      return agent.transport;
    },
    clientName: 'test', clientVersion: '0', log: (l) => logs.push(l),
    onClient: (c) => sessions.bindAgent(c),
    onProblem: () => assert.fail('no problem expected'),
    restart: () => undefined,
  }));
  const fake = (id: AgentId) => spawned.get(id)!.at(-1)!;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-registry-'));
    spawned = new Map();
    sessions = new SessionManager({ clock: systemClock, log: (l) => logs.push(l), settings: () => ({ sessionsDirectory: dir, maxEventsInMemory: 100, events: ['exec', 'file'], redact: true }) });
    registry = new AgentRegistry();
  });

  afterEach(async () => {
    for (const agents of spawned.values()) for (const a of agents) a.crash(0);
    registry.dispose();
    sessions.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps apart the sessions of two agents that give them the same session id', async () => {
    const remoteId = sshAgentId('dev@build-host');
    addAgent(LOCAL_AGENT);
    addAgent(remoteId);
    const local = await sessions.start(await registry.get(LOCAL_AGENT).get(), { kind: 'launch', command: ['make'], cwd: dir }, 'make');
    const remote = await sessions.start(await registry.get(remoteId).get(), { kind: 'launch', command: ['make'], cwd: dir }, 'make');
    assert.equal(local.agentSessionId, remote.agentSessionId, 'both agents answered with the same session id');
    assert.equal(local.agentId, LOCAL_AGENT);
    assert.equal(remote.agentId, remoteId);
    assert.equal(local.agentLabel, 'local agent 0.0.0-test');
    assert.equal(remote.agentLabel, 'dev@build-host (SSH) 0.0.0-test');

    const id = local.agentSessionId!;
    await fake(LOCAL_AGENT).sendEvents(id, [ev('open', 1, 100, { path: '/local/a' })]);
    await fake(remoteId).sendEvents(id, [ev('open', 2, 200, { path: '/remote/b' }), ev('open', 3, 200, { path: '/remote/c' })]);
    await until(() => local.stats.total === 1 && remote.stats.total === 2, 'each agent\'s events');
    assert.deepEqual(local.window.toArray().map((e) => e.kind === 'open' && e.path), ['/local/a']);
    assert.deepEqual(remote.window.toArray().map((e) => e.kind === 'open' && e.path), ['/remote/b', '/remote/c']);

    await fake(remoteId).sendState(id, 'exited', { exitCode: 2 });
    await until(() => !remote.live, 'the remote session to end');
    assert.equal(remote.stateLabel(), 'exited (code 2)');
    assert.equal(local.state, 'running', 'the local session with the same id keeps running');

    await sessions.stop(local);
    assert.equal(local.state, 'stopped');
    assert.equal(fake(LOCAL_AGENT).started.length, 1);
    assert.equal(fake(remoteId).started.length, 1);
  });

  it('an agent that dies fails its own sessions only', async () => {
    const remoteId = sshAgentId('build-host');
    addAgent(LOCAL_AGENT);
    addAgent(remoteId);
    const local = await sessions.start(await registry.get(LOCAL_AGENT).get(), { kind: 'attach', pid: 10 }, 'a');
    const remote = await sessions.start(await registry.get(remoteId).get(), { kind: 'attach', pid: 10 }, 'a');
    fake(remoteId).crash(null, 'SIGKILL', 'ssh: connection reset');
    await until(() => !remote.live, 'the remote session to fail');
    assert.equal(remote.state, 'failed');
    assert.match(remote.message ?? '', /killed by SIGKILL: ssh: connection reset/);
    assert.equal(local.state, 'running');
    assert.equal(registry.get(remoteId).current, undefined);
    assert.ok(registry.get(LOCAL_AGENT).current, 'the local agent is still there');
  });

  it('a session removed after its agent restarted does not take the route of the new session with its id', async () => {
    addAgent(LOCAL_AGENT);
    const old = await sessions.start(await registry.get(LOCAL_AGENT).get(), { kind: 'attach', pid: 10 }, 'old');
    const fresh = await sessions.start(await registry.get(LOCAL_AGENT).restart(), { kind: 'attach', pid: 10 }, 'new');
    assert.equal(old.state, 'failed', 'the first agent was shut down under its session');
    assert.equal(fresh.agentSessionId, old.agentSessionId);
    sessions.remove(old);
    await fake(LOCAL_AGENT).sendEvents(fresh.agentSessionId!, [ev('exec', 1)]);
    await until(() => fresh.stats.total === 1, 'the new session\'s event');
  });

  it('refuses a second agent with the same id and names the agents there are', () => {
    addAgent(LOCAL_AGENT);
    assert.throws(() => addAgent(LOCAL_AGENT), /the agent local is already registered/);
    assert.throws(() => registry.get(sshAgentId('nowhere')), /has no nowhere \(SSH\) \(ssh:nowhere\); the agents are: local\./);
    assert.throws(() => sshAgentId('two words'), /not an SSH host/);
  });
});
