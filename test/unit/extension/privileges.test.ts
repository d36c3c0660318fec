// The privilege advice acts on the agent's structured fixes: the buttons, the
// commands run as root and the details come from them, never from parsing prose.
import assert from 'node:assert/strict';
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes, type Problem } from '../../../remote-agent/src/protocol';
import { privilegeFixes } from '../../../remote-agent/src/backend/linux/privileges';
import { fixesForProbe } from '../../../remote-agent/src/backend/linux/probe-errors';
import { Fixes } from '../../../remote-agent/src/trace/errors';
import { ProbeErrorCode } from '../../../remote-agent/src/decode/layout';
import { LOCAL_AGENT } from '../../../extension/src/agent/agentId';
import { AgentManager } from '../../../extension/src/agent/agentManager';
import { PrivilegeAdvice } from '../../../extension/src/agent/privilegeAdvice';
import { DETAILS, GRANT, PrivilegeAdvisor, RUN_ON_HOST, USE_SUDO, type PrivilegeActions, type PrivilegeUi } from '../../../extension/src/agent/privileges';
import { FakeAgent, until } from './helpers/fakeAgent';

/** A UI that answers the warning with `choice` and records what was offered and typed. */
function fakeUi(choice: (items: string[]) => string | undefined) {
  const seen = { warnings: [] as { message: string; items: string[] }[], typed: [] as { text: string; run: boolean | undefined }[], errors: [] as string[] };
  const ui: PrivilegeUi = {
    showWarningMessage: async (message, ...items) => (seen.warnings.push({ message, items }), choice(items)),
    showErrorMessage: async (m) => void seen.errors.push(m),
    showInformationMessage: async () => undefined,
    createTerminal: () => ({ show: () => undefined, sendText: (text: string, run?: boolean) => void seen.typed.push({ text, run }) }),
  };
  return { ui, seen };
}
const noActions: PrivilegeActions = { pkexec: async () => undefined, enableSudo: async () => assert.fail(), restartAgent: async () => assert.fail(), showDetails: () => assert.fail() };

describe('privilege advice', () => {
  const probe = "/opt/ext/it's/lens-probe";
  const problem: Problem = { code: ErrorCodes.PermissionDenied, message: 'lens-probe lacks CAP_BPF and CAP_PERFMON', fixes: privilegeFixes(probe) };

  it('without pkexec, types the agent\'s setcap command into a terminal with sudo, without running it', async () => {
    const { ui, seen } = fakeUi(() => GRANT);
    await new PrivilegeAdvisor(ui, noActions).offer(problem);
    assert.deepEqual(seen.warnings, [{ message: 'Runtime Lens cannot trace yet: lens-probe lacks CAP_BPF and CAP_PERFMON', items: [GRANT, USE_SUDO, DETAILS] }]);
    assert.deepEqual(seen.typed, [{ text: `sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep '/opt/ext/it'\\''s/lens-probe'`, run: false }]);
  });

  it('with pkexec, runs exactly the agent\'s command as root and restarts the agent', async () => {
    const ran: string[][] = [];
    let restarted = 0;
    const { ui, seen } = fakeUi(() => GRANT);
    await new PrivilegeAdvisor(ui, { ...noActions, pkexec: async (args) => (ran.push(args), { code: 0, stderr: '' }), restartAgent: async () => void restarted++ }).offer(problem);
    assert.deepEqual(ran, [['sh', '-c', `setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep '/opt/ext/it'\\''s/lens-probe'`]]);
    assert.equal(restarted, 1);
    assert.deepEqual(seen.typed, []);
  });

  it('offers only the ways out the agent gave: a missing tracefs is mounted, an unknown one has details only', async () => {
    const tracefs: Problem = { code: ErrorCodes.KernelUnsupported, message: 'tracefs is not mounted', fixes: fixesForProbe(ProbeErrorCode.TRACEFS, probe) };
    const { ui, seen } = fakeUi((items) => items[0]);
    await new PrivilegeAdvisor(ui, noActions).offer(tracefs);
    assert.deepEqual(seen.warnings[0].items, ['Mount tracefs', DETAILS]);
    assert.deepEqual(seen.typed, [{ text: 'sudo mount -t tracefs tracefs /sys/kernel/tracing', run: false }]);

    const details: string[] = [];
    const other = fakeUi(() => DETAILS);
    await new PrivilegeAdvisor(other.ui, { ...noActions, showDetails: (t) => void details.push(t) })
      .offer({ code: ErrorCodes.ProbeFailed, message: 'lens-probe not found', fixes: [Fixes.advice('make -C bpf/linux')] });
    assert.deepEqual(other.seen.warnings[0].items, [DETAILS]);
    assert.match(details[0], /Ways to fix it:\n {2}- make -C bpf\/linux$/);
  });

  it('"Run agent with sudo" sets the setting; the details list every fix and the probe the agent named', async () => {
    let enabled = false;
    await new PrivilegeAdvisor(fakeUi(() => USE_SUDO).ui, { ...noActions, enableSudo: async () => void (enabled = true) }).offer(problem);
    assert.equal(enabled, true);
    const details: string[] = [];
    await new PrivilegeAdvisor(fakeUi(() => DETAILS).ui, { ...noActions, showDetails: (t) => void details.push(t) }).offer(problem);
    assert.equal(details[0], [
      `Problem (code ${ErrorCodes.PermissionDenied}): lens-probe lacks CAP_BPF and CAP_PERFMON`, '', 'Ways to fix it:',
      `  - sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep '/opt/ext/it'\\''s/lens-probe'`,
      '  - or run the agent as root (sudo)',
      '  - in VS Code: set "runtimeLens.runWithSudo": true (the agent then starts with sudo -n; needs passwordless sudo)',
      `Probe: ${probe}`,
    ].join('\n'));
  });

  it('a host\'s command is typed into a terminal as ssh -t HOST sudo COMMAND with the user\'s ssh options, under the headline given', async () => {
    const { ui, seen } = fakeUi(() => RUN_ON_HOST);
    const refused: Problem = {
      code: ErrorCodes.PermissionDenied, message: 'deploy may not trace on staging',
      fixes: [{ kind: 'hostCommand', text: 'run once on staging: sudo setcap …', host: 'deploy@staging', command: 'setcap cap_bpf,cap_perfmon+ep /home/deploy/lens-probe' }],
    };
    await new PrivilegeAdvisor(ui, { ...noActions, sshOptions: () => ['IdentityFile=/home/me/.ssh/my key'] }).offer(refused, 'Runtime Lens could not connect to deploy@staging');
    assert.deepEqual(seen.warnings, [{ message: 'Runtime Lens could not connect to deploy@staging: deploy may not trace on staging', items: [RUN_ON_HOST, DETAILS] }]);
    assert.deepEqual(seen.typed, [{ text: `ssh -t -o 'IdentityFile=/home/me/.ssh/my key' deploy@staging 'sudo setcap cap_bpf,cap_perfmon+ep /home/deploy/lens-probe'`, run: false }]);
  });

  it('a start refused for privileges offers the fixes the refusal carries, once per agent process', async () => {
    const fake = new FakeAgent();
    const agent = new AgentManager({
      id: LOCAL_AGENT, ui: { showErrorMessage: async () => undefined },
      resolveCommand: () => ({ command: 'fake', args: [], env: {}, agentPath: 'fake' }), spawn: () => fake.transport,
      clientName: 'test', clientVersion: '0', log: () => undefined, onClient: () => ({ dispose: () => undefined }),
      onProblem: () => assert.fail('the agent started without a problem'), restart: () => undefined,
    });
    await agent.get();
    const { ui, seen } = fakeUi(() => GRANT);
    const advice = new PrivilegeAdvice(new PrivilegeAdvisor(ui, noActions), ui);
    const refusal = new ResponseError(ErrorCodes.PermissionDenied, 'lens-probe cannot attach', { fixes: privilegeFixes('/srv/lens-probe') });
    advice.refused(agent, new Error(refusal.message, { cause: refusal }));
    advice.refused(agent, new Error(refusal.message, { cause: refusal }));
    advice.refused(agent, new Error('command not found: x', { cause: new ResponseError(ErrorCodes.CommandNotFound, 'command not found: x') }));
    assert.equal(seen.warnings.length, 1, 'offered once for this agent process; other errors offer nothing');
    await until(() => seen.typed.length > 0, 'the command typed in');
    assert.deepEqual(seen.typed, [{ text: 'sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep /srv/lens-probe', run: false }]);
    fake.crash(0);
    agent.dispose();
  });
});
