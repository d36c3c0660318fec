// Rules over JSON-RPC with a real agent and probe: session/start's `rules` (a file of the user's,
// a disabled default rule, the defaults on) compile into the start result's count and problems,
// and findings arrive in session/events after their events.
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EventsNotification, InitializeRequest, SessionStartRequest, StateNotification, type FindingEvent, type LensEvent, type StateNotificationParams } from '../../remote-agent/src/protocol';
import { compileRules } from '../../remote-agent/src/rules/compile';
import { AgentProcess } from '../helpers/agent';
import { requireBpf } from '../helpers/bpf';
import { scratchDir } from '../helpers/fixtures';
import { waitFor } from '../helpers/procs';

const MINE = `- rule: Key listed
  desc: test
  condition: evt.type in (open, openat) and fd.filename = id_rsa and proc.name = cat
  output: "cat read %fd.name"
  priority: INFO
- rule: Broken
  desc: test
  condition: evt.type = openat and fd.nmae = x
  output: x
  priority: INFO
`;

describe('rules: session/start over JSON-RPC', function () {
  this.timeout(60_000);
  before(function () {
    requireBpf(this);
  });

  it('reports how many rules run and each problem, and streams findings after their events', async function () {
    const dir = realpathSync(scratchDir('rules-rpc'));
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'fake\n');
    const file = path.join(dir, 'mine.yaml');
    writeFileSync(file, MINE);

    const agent = new AgentProcess();
    const rpc = agent.connect();
    const events: LensEvent[] = [];
    const states: StateNotificationParams[] = [];
    rpc.onNotification(EventsNotification, (p) => { events.push(...p.events); });
    rpc.onNotification(StateNotification, (p) => { states.push(p); });
    await rpc.sendRequest(InitializeRequest, { clientName: 'integration-test' });
    const started = await rpc.sendRequest(SessionStartRequest, {
      target: { kind: 'launch', command: ['/bin/sh', '-c', `cat ${home}/.ssh/id_rsa > /dev/null`], cwd: dir, stdio: 'null' },
      rules: { files: [file, path.join(dir, 'missing.yaml')], disabled: ['Read of SSH private key'] },
    });
    assert.equal(started.rules?.active, compileRules([]).compiled.length - 1 + 1, 'the defaults but the disabled one, and the good rule of the file');
    assert.deepEqual(started.rules?.problems.map((p) => [path.basename(p.file), p.line, p.severity]), [['missing.yaml', 1, 'error'], ['mine.yaml', 8, 'error']]);
    assert.match(started.rules!.problems[1].message, /unknown field 'fd\.nmae'; did you mean 'fd\.name'\?/);

    await waitFor('the session to end', () => states.find((s) => s.sessionId === started.sessionId && s.state === 'exited'), 30_000);
    const findings = events.filter((e): e is FindingEvent => e.kind === 'finding');
    assert.deepEqual(findings.map((f) => [f.rule, f.priority, f.output]), [['Key listed', 'informational', `cat read ${home}/.ssh/id_rsa`]]);
    const at = events.indexOf(findings[0]);
    const trigger = events[at - 1];
    assert.equal(trigger.kind, 'open');
    assert.deepEqual(findings[0].event, trigger);
    rpc.dispose();
    await agent.stop();
  });
});
