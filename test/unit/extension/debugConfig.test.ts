import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { debugTraceDecision, readTraceDebugSessions } from '../../../extension/src/debug/debugOptions';
import { canHold, userEnvFor, withHold, type LaunchConfig } from '../../../extension/src/debug/launchHold';
import { LOCAL_AGENT } from '../../../extension/src/agent/agentId';
import { AgentClient } from '../../../extension/src/agent/agentClient';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import { systemClock } from '../../../extension/src/util/clock';
import { FakeAgent } from './helpers/fakeAgent';

const prepared = { holdId: 'h1', hold: '/tmp/runtime-lens-0/hold-abc.pl', env: { RUNTIME_LENS_HOLD: '/tmp/runtime-lens-hold-x', NODE_OPTIONS: '--inspect-publish-uid=http --require /p.cjs', PYTHONPATH: '/tmp/py:/user' } };

describe('debug configurations: the runtimeLens attribute and the hold', () => {
  it('the attribute wins over runtimeLens.traceDebugSessions; without it the setting decides', () => {
    assert.deepEqual(debugTraceDecision(undefined, 'off'), { trace: 'no' });
    assert.deepEqual(debugTraceDecision(undefined, 'ask'), { trace: 'ask', options: {}, problems: [] });
    assert.deepEqual(debugTraceDecision(undefined, 'always'), { trace: 'yes', options: {}, problems: [] });
    assert.deepEqual(debugTraceDecision(false, 'always'), { trace: 'no' });
    assert.deepEqual(debugTraceDecision(true, 'off'), { trace: 'yes', options: {}, problems: [] });
    assert.deepEqual(debugTraceDecision({ events: ['file', 'net'], stacks: true }, 'off'), { trace: 'yes', options: { events: ['file', 'net'], stacks: true }, problems: [] });
  });

  it('names each bad value of the attribute and what was expected', () => {
    const d = debugTraceDecision({ events: ['file', 'nett'], stacks: 'yes', colour: 1 }, 'off');
    if (d.trace !== 'yes') return assert.fail(`traced with the settings, got ${d.trace}`);
    assert.deepEqual(d.options, { events: ['file'] });
    assert.match(d.problems.join('\n'), /"runtimeLens.colour" .* not an option/);
    assert.match(d.problems.join('\n'), /"runtimeLens.events" must be a non-empty list of exec, file.*got \["file","nett"\]\. Using file\./);
    assert.match(d.problems.join('\n'), /"runtimeLens.stacks" must be true or false; got "yes"/);
    const bad = debugTraceDecision('yes', 'off');
    assert.match(bad.trace !== 'no' ? bad.problems[0] : '', /must be true, false or \{"events"/);
    assert.deepEqual(readTraceDebugSessions('sometimes'), { value: 'off', problem: 'runtimeLens.traceDebugSessions must be one of off, ask, always; got "sometimes". Using off.' });
  });

  it('"rules" of the attribute are run besides the workspace\'s rule files and disabledRules: session/start gets them all', async () => {
    const d = debugTraceDecision({ rules: ['rules/extra.yaml', '/abs/more.yaml'] }, 'off', '/w');
    if (d.trace !== 'yes') return assert.fail(`traced, got ${d.trace}`);
    assert.deepEqual(d.problems, []);
    assert.deepEqual(d.options, { rules: ['/w/rules/extra.yaml', '/abs/more.yaml'] });
    const noFolder = debugTraceDecision({ rules: ['extra.yaml'] }, 'off');
    assert.match(noFolder.trace === 'yes' ? noFolder.problems.join('\n') : '', /"runtimeLens.rules" in the launch configuration: "extra.yaml" is relative, and there is no workspace folder/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lens-debug-rules-'));
    const agent = new FakeAgent();
    const client = new AgentClient(LOCAL_AGENT, agent.transport, () => undefined);
    await client.initialize('t', '0');
    const sessions = new SessionManager({
      clock: systemClock, log: () => undefined,
      settings: () => ({ sessionsDirectory: dir, maxEventsInMemory: 1000, events: ['exec'], redact: true, rules: { files: ['/w/.runtime-lens/rules.yaml', '/abs/more.yaml'], disabled: ['Read of SSH private key'] } }),
    });
    sessions.bindAgent(client);
    try {
      await sessions.start(client, { kind: 'debug', pid: 4242, name: 'app', debugType: 'node' }, 'app', undefined, d.options);
      assert.deepEqual(agent.started[0].rules, { files: ['/w/.runtime-lens/rules.yaml', '/abs/more.yaml', '/w/rules/extra.yaml'], disabled: ['Read of SSH private key'] });
      await sessions.start(client, { kind: 'debug', pid: 4243, name: 'app', debugType: 'node' }, 'app', undefined, {});
      assert.deepEqual(agent.started[1].rules, { files: ['/w/.runtime-lens/rules.yaml', '/abs/more.yaml'], disabled: ['Read of SSH private key'] }, 'without the attribute: the settings\' rules');
    } finally {
      sessions.dispose();
      agent.crash(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('js-debug: runtimeExecutable becomes the hold, which runs the runtime it replaced; the user env is kept', () => {
    const config: LaunchConfig = { type: 'pwa-node', request: 'launch', name: 'app', program: '/w/app.js', runtimeExecutable: '/opt/node22/bin/node', env: { DEBUG: '1', NODE_OPTIONS: '--max-old-space-size=64' } };
    assert.ok(canHold(config));
    // js-debug appends the host's NODE_OPTIONS itself: only the configuration's goes to the agent
    assert.deepEqual(userEnvFor(config, { NODE_OPTIONS: '--host', PYTHONPATH: '/host' }), { NODE_OPTIONS: '--max-old-space-size=64', PYTHONPATH: '/host' });
    const wrapped = withHold(config, prepared);
    assert.equal(wrapped.runtimeExecutable, prepared.hold);
    assert.deepEqual(wrapped.env, { DEBUG: '1', ...prepared.env, RUNTIME_LENS_HOLD_EXEC: '/opt/node22/bin/node' });
    const plain = withHold({ type: 'node', request: 'launch', name: 'n', program: 'a.js' }, prepared);
    assert.equal((plain.env as Record<string, string>).RUNTIME_LENS_HOLD_EXEC, 'node');
  });

  it('only launches of known debug types are held; attach requests and other adapters are traced from their reported pid', () => {
    assert.equal(canHold({ type: 'node', request: 'attach', name: 'a' }), false);
    assert.equal(canHold({ type: 'cppdbg', request: 'launch', name: 'c' }), false);
    assert.equal(canHold({ type: 'python', request: 'launch', name: 'p', noDebug: true }), false);
    const other: LaunchConfig = { type: 'lldb', request: 'launch', name: 'l' };
    assert.equal(withHold(other, prepared), other);
  });
});
