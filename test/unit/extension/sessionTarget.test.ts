// One tagged target type (launch | attach | debug) from session/start to the
// session file header and the Sessions view; files of earlier versions still open.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { SessionTarget } from '../../../remote-agent/src/protocol';
import { LOCAL_AGENT } from '../../../extension/src/agent/agentId';
import { AgentClient } from '../../../extension/src/agent/agentClient';
import type { Session } from '../../../extension/src/session/session';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import { systemClock } from '../../../extension/src/util/clock';
import { SessionsTreeProvider, type SessionsTreeElement } from '../../../extension/src/views/sessionsTree';
import { FakeAgent } from './helpers/fakeAgent';
import { fakeVscodeTypes } from './helpers/fakeVscodeTypes';

describe('session targets', () => {
  let dir: string;
  let agent: FakeAgent;
  let client: AgentClient;
  let manager: SessionManager;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-targets-'));
    agent = new FakeAgent();
    client = new AgentClient(LOCAL_AGENT, agent.transport, () => undefined);
    manager = new SessionManager({ clock: systemClock, log: () => undefined, settings: () => ({ sessionsDirectory: dir, maxEventsInMemory: 1000, events: ['exec'], redact: true }) });
    manager.bindAgent(client);
    await client.initialize('test', '0');
  });

  afterEach(() => {
    manager.dispose();
    if (!client.gone) agent.crash(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The Sessions view's target row of a session: its label and description. */
  const targetRow = (session: Session) => {
    const tree = new SessionsTreeProvider(fakeVscodeTypes, manager, systemClock);
    const row = tree.getChildren({ type: 'session', session }).find((e) => e.type === 'detail' && e.id === 'target') as Extract<SessionsTreeElement, { type: 'detail' }>;
    const label = tree.getTreeItem(row).label;
    tree.dispose();
    return [label, row.description];
  };
  const header = (file: string) => JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString().split('\n')[0]) as { target: SessionTarget };

  it('a debug session\'s program goes to the agent as a debug target, and is recorded and shown as one', async () => {
    const target: SessionTarget = { kind: 'debug', pid: 4321, name: 'Launch server', debugType: 'node' };
    const session = await manager.start(client, target, 'Launch server');
    assert.deepEqual(agent.started[0].target, target);
    assert.deepEqual(targetRow(session), ['Debugging', 'Launch server (node) · pid 4321']);
    await session.recorder!.close({ state: 'stopped', endedAt: 0 });
    assert.deepEqual(header(session.file!).target, target);
    assert.match(path.basename(session.file!), /_Launch-server\.lens\.ndjson\.gz$/);
    manager.remove(session);
    assert.deepEqual((await manager.openFile(session.file!)).target, target);
  });

  it('a launch target is sent tagged with its stdio piped; its environment never reaches the session file', async () => {
    const session = await manager.start(client, { kind: 'launch', command: ['app'], cwd: dir, env: { TOKEN: 'hunter2' } }, 'app');
    assert.deepEqual(agent.started[0].target, { kind: 'launch', command: ['app'], cwd: dir, env: { TOKEN: 'hunter2' }, stdio: 'pipe' });
    assert.deepEqual(session.target, { kind: 'launch', command: ['app'], cwd: dir });
    await session.recorder!.close({ state: 'stopped', endedAt: 0 });
    assert.doesNotMatch(zlib.gunzipSync(fs.readFileSync(session.file!)).toString(), /hunter2/);
  });

  it('session files recorded by earlier versions (launch and attach targets) still open', async () => {
    const recorded = [
      { target: { kind: 'launch', command: ['make', 'test'], cwd: '/src' }, row: ['Command', 'make test  (in /src)'] },
      { target: { kind: 'attach', pid: 77, comm: 'nginx', cmdline: 'nginx -g daemon off;' }, row: ['Attached to', 'pid 77 (nginx) · nginx -g daemon off;'] },
    ];
    for (const [i, { target, row }] of recorded.entries()) {
      const file = path.join(dir, `old-${i}.lens.ndjson.gz`);
      const lines = [
        { runtimeLens: 'session', version: 1, title: 't', target, startedAt: 1, agentVersion: '0.1.0', events: ['exec'] },
        { ts: 2, kind: 'exit', pid: 77, tid: 77, ppid: 1, uid: 0, comm: 'x', exit_code: 0 },
        { runtimeLens: 'end', state: 'exited', endedAt: 3, exitCode: 0, recorded: 1 },
      ];
      fs.writeFileSync(file, zlib.gzipSync(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
      const session = await manager.openFile(file);
      assert.deepEqual(session.target, target);
      assert.equal(session.stats.total, 1);
      assert.deepEqual(targetRow(session), row);
    }
  });
});
