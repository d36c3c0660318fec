// session/addProcess on a real agent and a real probe: a session attached to one process follows a
// second, already running process once it is added; a pid that does not exist is refused by name.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { RequestType, ResponseError } from 'vscode-jsonrpc';
import {
  ErrorCodes, EventsNotification, InitializeRequest, SessionAddProcessRequest, SessionStartRequest, SessionStopRequest,
  type LensEvent, type OpenEvent,
} from '../../remote-agent/src/protocol';
import { AgentProcess } from '../helpers/agent';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { unusedPid, waitFor } from '../helpers/procs';

/** An attachee fixture: a long-running process that opens the paths it is sent. */
function attachee(): { child: ChildProcess; open(path: string): void } {
  const child = spawn(cFixture('attachee'), [], { stdio: ['pipe', 'ignore', 'inherit'] });
  return { child, open: (path) => child.stdin!.write(`open ${path}\n`) };
}

describe('session/addProcess (real agent, real probe)', function () {
  const started: ChildProcess[] = [];
  let agent: AgentProcess | undefined;

  before(function () {
    requireBpf(this);
  });

  afterEach(async function () {
    for (const child of started.splice(0)) child.kill('SIGKILL');
    await agent?.stop();
    agent = undefined;
  });

  it('follows a running process added to a running session; a pid that does not exist is refused', async function () {
    const dir = scratchDir('add-process');
    const first = attachee();
    const second = attachee();
    started.push(first.child, second.child);
    agent = new AgentProcess();
    const rpc = agent.connect();
    const events: LensEvent[] = [];
    rpc.onNotification(EventsNotification, (p) => { events.push(...p.events); });
    const opens = (pid: number, path: string) => events.filter((e): e is OpenEvent => e.kind === 'open' && e.pid === pid && e.path === path);
    await rpc.sendRequest(InitializeRequest, { clientName: 'add-process-test' });
    const { sessionId } = await rpc.sendRequest(SessionStartRequest, { target: { kind: 'attach', pid: first.child.pid! }, events: ['file'] });

    first.open(`${dir}/first`);
    await waitFor('the open of the attached process', () => opens(first.child.pid!, `${dir}/first`).length > 0, 15_000);
    await rpc.sendRequest(SessionAddProcessRequest, { sessionId, pid: second.child.pid! });
    second.open(`${dir}/after-add`);
    const [open] = await waitFor('the open of the added process', () => {
      const found = opens(second.child.pid!, `${dir}/after-add`);
      return found.length ? found : undefined;
    }, 15_000);
    assert.equal(open.comm, 'attachee');
    assert.equal(open.flags, 'O_RDONLY');

    const gone = unusedPid();
    await assert.rejects(rpc.sendRequest(SessionAddProcessRequest, { sessionId, pid: gone }), (e: ResponseError<unknown>) => {
      assert.equal(e.code, ErrorCodes.NoSuchProcess);
      assert.match(e.message, new RegExp(`no process with pid ${gone}`));
      return true;
    });
    const badParams = new RequestType<unknown, void, void>('session/addProcess');
    await assert.rejects(rpc.sendRequest(badParams, { sessionId, pid: 'x' }), (e: ResponseError<unknown>) => e.code === ErrorCodes.InvalidParams);

    await rpc.sendRequest(SessionStopRequest, { sessionId });
    rpc.dispose();
  });
});
