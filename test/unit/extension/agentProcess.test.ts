import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOCAL_AGENT } from '../../../extension/src/agent/agentId';
import { AgentClient } from '../../../extension/src/agent/agentClient';
import { resolveAgentCommand } from '../../../extension/src/agent/agentCommand';
import { AgentManager, RESTART_AGENT } from '../../../extension/src/agent/agentManager';
import { spawnAgent } from '../../../extension/src/agent/agentProcess';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import { systemClock } from '../../../extension/src/util/clock';
import { until } from './helpers/fakeAgent';

const root = path.resolve(__dirname, '../../..');

describe('agent command', () => {
  const exists = (files: string[]) => (f: string) => files.includes(f);

  it('runs the packaged agent with the extension host\'s node as node', () => {
    const ext = '/ext';
    const cmd = resolveAgentCommand({ extensionPath: ext, nodePath: '/usr/bin/code', runWithSudo: false, exists: exists(['/ext/extension/dist/runtime-lens.js']) });
    assert.deepEqual([cmd.command, ...cmd.args], ['/usr/bin/code', '/ext/extension/dist/runtime-lens.js', 'agent', '--stdio']);
    assert.equal(cmd.env.ELECTRON_RUN_AS_NODE, '1');
  });

  it('falls back to the development build, and goes through sudo -n with the environment kept', () => {
    const cmd = resolveAgentCommand({ extensionPath: '/repo', nodePath: '/usr/bin/node', runWithSudo: true, exists: exists(['/repo/remote-agent/dist/runtime-lens.js']), replaceableByNonRoot: () => undefined });
    assert.deepEqual([cmd.command, ...cmd.args], ['sudo', '-n', 'env', 'ELECTRON_RUN_AS_NODE=1', '/usr/bin/node', '/repo/remote-agent/dist/runtime-lens.js', 'agent', '--stdio']);
  });

  it('refuses to run through sudo a bundle that a user other than root could replace, naming the file and why', () => {
    const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-sudo-'));
    try {
      const dist = path.join(ext, 'extension', 'dist');
      fs.mkdirSync(dist, { recursive: true });
      fs.writeFileSync(path.join(dist, 'runtime-lens.js'), '');
      const root = process.geteuid?.() === 0;
      if (root) fs.chownSync(dist, 65534, 65534); // as another user, the files are theirs already
      const uid = root ? 65534 : process.geteuid?.();
      assert.throws(() => resolveAgentCommand({ extensionPath: ext, nodePath: '/usr/bin/node', runWithSudo: true }),
        new RegExp(`refusing to run the agent bundle ${dist}/runtime-lens.js as root through sudo: ${root ? dist : dist + '/runtime-lens.js'} is owned by uid ${uid}`));
      // without sudo the same bundle runs as the user: nothing to refuse
      assert.equal(resolveAgentCommand({ extensionPath: ext, nodePath: '/usr/bin/node', runWithSudo: false }).agentPath, path.join(dist, 'runtime-lens.js'));
      if (root) {
        fs.chownSync(dist, 0, 0);
        fs.chmodSync(path.join(dist, 'runtime-lens.js'), 0o666);
        assert.throws(() => resolveAgentCommand({ extensionPath: ext, nodePath: '/usr/bin/node', runWithSudo: true }), /runtime-lens.js is writable by every user/);
        fs.chmodSync(path.join(dist, 'runtime-lens.js'), 0o644);
        assert.equal(resolveAgentCommand({ extensionPath: ext, nodePath: '/usr/bin/node', runWithSudo: true }).command, 'sudo');
      }
    } finally {
      fs.rmSync(ext, { recursive: true, force: true });
    }
  });

  it('says where it looked when the agent is missing, and checks the override', () => {
    assert.throws(() => resolveAgentCommand({ extensionPath: '/nowhere', nodePath: 'node', runWithSudo: false, exists: () => false }),
      /agent bundle was not found \(looked in \/nowhere\/extension\/dist\/runtime-lens.js, \/nowhere\/remote-agent\/dist\/runtime-lens.js\)/);
    assert.throws(() => resolveAgentCommand({ extensionPath: '/x', agentPathOverride: 'rel/agent.js', nodePath: 'node', runWithSudo: false, exists: () => true }),
      /runtimeLens.agentPath must be an absolute path/);
    assert.throws(() => resolveAgentCommand({ extensionPath: '/x', agentPathOverride: '/missing.js', nodePath: 'node', runWithSudo: false, exists: () => false }),
      /points to "\/missing.js", which does not exist/);
  });
});

describe('agent process', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-agent-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a real agent process that crashes fails its running session with its stderr, and offers a restart', async () => {
    const errors: { message: string; items: string[] }[] = [];
    let restarts = 0;
    const sessions = new SessionManager({ clock: systemClock, log: () => undefined, settings: () => ({ sessionsDirectory: dir, maxEventsInMemory: 1000, events: ['exec'], redact: true }) });
    const agents = new AgentManager({
      id: LOCAL_AGENT,
      ui: { showErrorMessage: async (message, ...items) => (errors.push({ message, items }), RESTART_AGENT) },
      resolveCommand: () => ({
        command: process.execPath, args: ['--import', 'tsx', path.join(__dirname, 'fixtures', 'crashingAgent.ts')],
        env: {}, agentPath: 'crashingAgent.ts',
      }),
      spawn: (cmd) => spawnAgent(cmd, root, () => undefined),
      clientName: 'test', clientVersion: '0', log: () => undefined,
      onClient: (c) => sessions.bindAgent(c),
      onProblem: () => assert.fail('no problem expected'),
      restart: () => restarts++,
    });
    const client = await agents.get();
    assert.equal(client.initializeResult?.agentVersion, 'crashing-fixture');
    const session = await sessions.start(client, { kind: 'launch', command: ['true'], cwd: dir }, 'true');
    await until(() => session.state === 'failed', 'the session to fail', 20000);
    assert.match(session.message ?? '', /The Runtime Lens agent exited with code 3: lens-probe: ring buffer poll failed: Bad address/);
    assert.equal(session.window.size, 1, 'events received before the crash are kept');
    await until(() => errors.length > 0 && restarts > 0, 'the crash notification');
    assert.match(errors[0].message, /exited with code 3.*Running sessions were marked failed/);
    assert.deepEqual(errors[0].items, [RESTART_AGENT]);
    assert.equal(agents.current, undefined);
    sessions.dispose();
    agents.dispose();
  });

  it('an agent that cannot be started is reported with the reason', async () => {
    const transport = spawnAgent({ command: path.join(dir, 'no-such-agent'), args: [], env: {}, agentPath: 'x' }, dir, () => undefined);
    const client = new AgentClient(LOCAL_AGENT, transport, () => undefined);
    await assert.rejects(client.initialize('t', '0'), /agent could not be started \(.*no-such-agent: spawn .* ENOENT\)/);
  });
});
