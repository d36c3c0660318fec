import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { ProcessInfo } from '../../../remote-agent/src/protocol';
import { LOCAL_AGENT } from '../../../extension/src/agent/agentId';
import { AgentClient } from '../../../extension/src/agent/agentClient';
import { AttachProcessPicker, PICK_AGAIN, processPickItems, type ProcessPickItem } from '../../../extension/src/commands/attachProcess';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import { systemClock } from '../../../extension/src/util/clock';
import { processCommandLine } from '../../../remote-agent/src/model/process-tree';
import { ev, FakeAgent } from './helpers/fakeAgent';

const proc = (pid: number, comm: string, startTime: number, cmdline = comm): ProcessInfo => ({ pid, ppid: 1, user: 'dev', uid: 1000, comm, cmdline, startTime });

describe('Attach to Process…', () => {
  let dir: string;
  let agent: FakeAgent;
  let client: AgentClient;
  let sessions: SessionManager;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-attach-'));
    agent = new FakeAgent();
    agent.processes = [proc(10, 'old', 1), proc(20, 'python3', 3, 'python3 -m http.server 8080'), proc(30, 'node', 2, 'node server.js'), proc(40, 'MainThread', 0, '/usr/bin/node app.js')];
    client = new AgentClient(LOCAL_AGENT, agent.transport, () => undefined);
    await client.initialize('t', '0');
    sessions = new SessionManager({ clock: systemClock, log: () => undefined, settings: () => ({ sessionsDirectory: dir, maxEventsInMemory: 1000, events: ['exec'], redact: true }) });
    sessions.bindAgent(client);
  });
  afterEach(() => {
    sessions.dispose();
    agent.crash(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const picker = (choose: (items: ProcessPickItem[]) => ProcessPickItem | undefined, errors: { message: string; items: string[] }[], answer?: string) => {
    const options: vscode.QuickPickOptions[] = [];
    let picks = 0;
    const p = new AttachProcessPicker({
      ui: {
        showQuickPick: async (items, o) => {
          options.push(o);
          picks++;
          return picks === 1 ? choose(await items) : undefined;
        },
        showErrorMessage: async (message, ...items) => (errors.push({ message, items }), answer),
      },
      listProcesses: () => client.listProcesses(),
      hiddenPids: () => [30],
      run: async (pid, comm, cmdline) => {
        await sessions.start(client, { kind: 'attach', pid, comm, cmdline }, `${comm} (pid ${pid})`);
      },
    });
    return { p, options, picks: () => picks };
  };

  it('lists processes newest first with pid, user and command line, searchable in all of them', async () => {
    const items = processPickItems(agent.processes, [30]);
    assert.deepEqual(items.map((i) => [i.label, i.description, i.detail]), [
      ['python3', 'pid 20 · dev · parent 1', 'python3 -m http.server 8080'],
      ['old', 'pid 10 · dev · parent 1', 'old'],
      ['node', 'pid 40 · dev · parent 1 · comm MainThread', '/usr/bin/node app.js'],
    ]);
    const errors: { message: string; items: string[] }[] = [];
    const { p, options } = picker((list) => list[0], errors);
    assert.equal(await p.pick(), true);
    assert.equal(options[0].matchOnDescription, true);
    assert.equal(options[0].matchOnDetail, true);
    assert.deepEqual(agent.started.map((s) => s.target), [{ kind: 'attach', pid: 20 }]);
    assert.equal(sessions.current?.title, 'python3 (pid 20)');
    assert.deepEqual(sessions.current?.target, { kind: 'attach', pid: 20, comm: 'python3', cmdline: 'python3 -m http.server 8080' });
    assert.deepEqual(errors, []);
  });

  it('names a pid given directly from the process list; its command line reaches the Processes view, redacted', async () => {
    agent.processes.push(proc(50, 'MainThread', 4, '/usr/bin/node app.js --token s3cret'));
    const errors: { message: string; items: string[] }[] = [];
    const { p, picks } = picker(() => undefined, errors);
    assert.equal(await p.attach(50), true);
    assert.equal(picks(), 0, 'no pick shown');
    const session = sessions.current!;
    assert.equal(session.title, 'node (pid 50)');
    assert.deepEqual(session.target, { kind: 'attach', pid: 50, comm: 'node', cmdline: '/usr/bin/node app.js --token ***' });
    session.addEvents([ev('open', 1, 50, { comm: 'MainThread' })]);
    assert.equal(processCommandLine(session.processes.runningPid(50)!), '/usr/bin/node app.js --token ***');
    agent.goneAfterList.add(77);
    assert.equal(await p.attach(77), false, 'a pid not in the list is still tried: the agent says why it fails');
    assert.equal(errors[0].message, 'Process 77 (pid 77) is no longer running: it exited after the list was read. Pick a running process.');
  });

  it('a pid that exited after the list was read gives a clear error and offers to pick again', async () => {
    agent.goneAfterList.add(20);
    const errors: { message: string; items: string[] }[] = [];
    const { p, picks } = picker((list) => list.find((i) => i.process.pid === 20), errors, PICK_AGAIN);
    assert.equal(await p.pick(), false);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].message, 'Process 20 (python3) is no longer running: it exited after the list was read. Pick a running process.');
    assert.deepEqual(errors[0].items, [PICK_AGAIN]);
    assert.equal(picks(), 2, '"Pick Again" shows the list again');
    assert.equal(sessions.sessions.length, 0);
  });

  it('refuses a pid that is not a positive integer', async () => {
    const errors: { message: string; items: string[] }[] = [];
    const { p } = picker(() => undefined, errors);
    assert.equal(await p.attach(-5), false);
    assert.match(errors[0].message, /"-5" is not a process id; expected a positive integer/);
  });

  it('says when the process list cannot be read', async () => {
    const errors: { message: string; items: string[] }[] = [];
    agent.crash(1, null, 'boom');
    const { p } = picker((list) => list[0], errors);
    assert.equal(await p.pick(), false);
    assert.match(errors[0].message, /could not list processes: The Runtime Lens agent exited with code 1: boom/);
  });
});
