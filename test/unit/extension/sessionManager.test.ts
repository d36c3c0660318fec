import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { LensEvent, SyscallSummaryRow } from '../../../remote-agent/src/protocol';
import { LOCAL_AGENT } from '../../../extension/src/agent/agentId';
import { AgentClient } from '../../../extension/src/agent/agentClient';
import type { Session } from '../../../extension/src/session/session';
import { readSessionFile, SessionRecorder, SUMMARY_RECORD_MS } from '../../../extension/src/session/sessionFile';
import { SessionManager, type SessionSettings } from '../../../extension/src/session/sessionManager';
import { SessionTerminal } from '../../../extension/src/session/sessionTerminal';
import type { ProcessNode } from '../../../remote-agent/src/model/process-tree';
import { ProcessesTreeProvider } from '../../../extension/src/views/processesTree';
import { FakeClock } from './helpers/fakeClock';
import { fakeVscodeTypes } from './helpers/fakeVscodeTypes';
import { systemClock } from '../../../extension/src/util/clock';
import { ev, FakeAgent, until } from './helpers/fakeAgent';

describe('SessionManager', () => {
  let dir: string;
  let agent: FakeAgent;
  let client: AgentClient;
  let manager: SessionManager;
  const logs: string[] = [];
  let settings: SessionSettings;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-sessions-'));
    settings = { sessionsDirectory: dir, maxEventsInMemory: 1000, events: ['exec', 'file'], redact: true };
    agent = new FakeAgent();
    client = new AgentClient(LOCAL_AGENT, agent.transport, (l) => logs.push(l));
    manager = new SessionManager({ clock: systemClock, log: (l) => logs.push(l), settings: () => settings });
    manager.bindAgent(client);
    await client.initialize('test', '0');
  });

  afterEach(() => {
    manager.dispose();
    if (!client.gone) agent.crash(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks the agent for stacks when runtimeLens.stacks is on', async () => {
    settings = { ...settings, stacks: true };
    await launch();
    assert.equal(agent.started[0].stacks, true);
  });

  it("takes an event's source from the window's workspace folders, live and from a reopened file", async () => {
    // a workspace under /usr/src: the agent, not knowing it, took the outer user-looking frame
    settings = { ...settings, sourceRoots: ['/usr/src/proj'] };
    const frames = [
      { kind: 'native' as const, function: 'open', module: '/usr/lib/x86_64-linux-gnu/libc.so.6', reason: 'no debug info' },
      { kind: 'native' as const, function: 'load', file: '/usr/src/proj/load.c', line: 12, module: '/usr/src/proj/app' },
      { kind: 'native' as const, function: 'main', file: '/home/me/wrapper.c', line: 3, module: '/usr/src/proj/app' },
    ];
    const session = await launch();
    await agent.sendEvents(session.agentSessionId!, [ev('open', 1, 100, { frames, source: { file: '/home/me/wrapper.c', line: 3, function: 'main' } })]);
    await until(() => session.window.size === 1, 'the event');
    assert.deepEqual(session.window.toArray()[0].source, { file: '/usr/src/proj/load.c', line: 12, function: 'load' });
    await agent.sendState(session.agentSessionId!, 'exited', { exitCode: 0 });
    await until(() => !session.live, 'the session to end');
    await session.recorder!.close({ state: 'exited', endedAt: 0 });
    manager.remove(session);
    settings = { ...settings, sourceRoots: ['/home/me'] };
    const reopened = await manager.openFile(session.file!);
    assert.deepEqual(reopened.window.toArray()[0].source, { file: '/home/me/wrapper.c', line: 3, function: 'main' }, "a reopened file's events get the window's folders of now");
  });

  const launch = (argv = ['app']) => manager.start(client, { kind: 'launch', command: argv, cwd: dir }, argv.join(' '));

  it('keeps a bounded window in memory, records every event to the session file, and reopens it', async () => {
    const session = await launch();
    assert.equal(agent.started[0].redact, true);
    assert.deepEqual(agent.started[0].events, ['exec', 'file']);
    assert.equal(agent.started[0].stacks, undefined, 'stacks only when runtimeLens.stacks is on');
    const sent: LensEvent[] = [ev('exec', 0, 100, { argv: ['app', '--serve'] }), ev('fork', 0.5, 100, { child_pid: 101 })];
    for (let i = 1; i < 5000; i++) sent.push(ev('open', i, i % 2 ? 100 : 101));
    for (let i = 0; i < sent.length; i += 500) await agent.sendEvents(session.agentSessionId!, sent.slice(i, i + 500));
    await agent.sendState(session.agentSessionId!, 'exited', { exitCode: 0 });
    await until(() => !session.live, 'the session to end');

    assert.equal(session.window.size, 1000, 'memory holds the newest 1000');
    assert.equal(session.window.evicted, sent.length - 1000);
    assert.equal(session.window.toArray()[0].ts, sent[sent.length - 1000].ts);
    assert.equal(session.stats.total, sent.length);
    assert.equal(session.stateLabel(), 'exited (code 0)');

    await session.recorder!.close({ state: 'exited', endedAt: 0 });
    const onDisk: LensEvent[] = [];
    const contents = await readSessionFile(session.file!, (batch) => onDisk.push(...batch));
    assert.equal(contents.events, sent.length, 'every event is in the file');
    assert.deepEqual(onDisk.map((e) => e.ts), sent.map((e) => e.ts));
    assert.equal(contents.incomplete, false);
    assert.equal(contents.trailer?.state, 'exited');
    assert.equal(contents.trailer?.recorded, sent.length);
    assert.ok(session.file!.endsWith('.lens.ndjson.gz'));
    assert.equal(fs.statSync(session.file!).mode & 0o777, 0o600, 'session files are private');

    assert.equal(await manager.openFile(session.file!), session, 'the file of a session in the list shows that session');
    assert.equal(await manager.openFile(path.join(dir, '.', path.basename(session.file!))), session, 'whatever the spelling of its path');
    assert.equal(manager.sessions.length, 1, 'no second entry for the same file');
    manager.remove(session);
    const reopened = await manager.openFile(session.file!);
    assert.equal(reopened.fromFile, true);
    assert.equal(reopened.title, 'app');
    assert.equal(reopened.state, 'exited');
    assert.equal(reopened.exitCode, 0);
    assert.equal(reopened.window.size, 1000);
    assert.equal(reopened.stats.total, sent.length);
    assert.deepEqual(reopened.processes.roots[0].argv, ['app', '--serve']);
    assert.deepEqual(reopened.processes.roots[0].children.map((c) => c.pid), [101]);
    assert.equal(manager.current, reopened, 'a reopened session is shown');
    assert.equal(await manager.openFile(session.file!), reopened, 'opening it again reuses it');
    assert.equal(manager.sessions.length, 1);
  });

  it('a session file written before events had process keys still shows a reused pid as two processes', async () => {
    const file = path.join(dir, 'old.lens.ndjson.gz');
    const header = { runtimeLens: 'session', version: 1, title: 'make', target: { kind: 'launch', command: ['make'], cwd: dir }, startedAt: 0 };
    const old = [ev('exec', 1, 10, { argv: ['make'] }), ev('fork', 2, 10, { child_pid: 11 }), ev('exit', 3, 11, { ppid: 10, exit_code: 2 }),
      ev('fork', 4, 10, { child_pid: 11 }), ev('exec', 5, 11, { ppid: 10, argv: ['cc'] })].map((e) => {
      const { key: _key, child_key: _childKey, ...rest } = e as LensEvent & { child_key?: string };
      return rest;
    });
    // a summary row of that time has no key either: it reads as the pid's process at that point of the file
    const summary = { runtimeLens: 'summary', ts: 6, rows: [{ pid: 11, comm: 'cc', name: 'read', nr: 0, count: 1, errors: 0, total_ns: 1, max_ns: 1, p50_ns: 1, p95_ns: 1, p99_ns: 1 }] };
    fs.writeFileSync(file, zlib.gzipSync([header, ...old, summary, { runtimeLens: 'end', state: 'exited', endedAt: 6, recorded: 5 }].map((r) => JSON.stringify(r)).join('\n') + '\n'));
    const reopened = await manager.openFile(file);
    const kids = reopened.processes.roots[0].children;
    assert.deepEqual(kids.map((c) => [c.key, c.exitCode, c.argv]), [['11:g1', 2, ['make']], ['11:g2', undefined, ['cc']]]);
    assert.deepEqual(reopened.summary.map((r) => r.key), ['11:g2']);
  });

  it('two sessions of one program started in the same millisecond keep a file each', async () => {
    const header = { runtimeLens: 'session' as const, version: 1 as const, title: 'app', target: { kind: 'launch' as const, command: ['app'], cwd: dir }, startedAt: 0 };
    const file = path.join(dir, 'same.lens.ndjson.gz');
    const first = new SessionRecorder(file, header, assert.fail);
    const second = new SessionRecorder(file, header, assert.fail);
    first.write([ev('open', 1, 100)]);
    second.write([ev('open', 2, 200), ev('open', 3, 200)]);
    await first.close({ state: 'exited', endedAt: 1 });
    await second.close({ state: 'exited', endedAt: 1 });
    assert.equal(first.file, file);
    assert.equal(second.file, path.join(dir, 'same-2.lens.ndjson.gz'));
    assert.equal((await readSessionFile(first.file, () => {})).events, 1);
    assert.equal((await readSessionFile(second.file, () => {})).events, 2);
  });

  it('keeps the latest syscall summary in the session file and shows it when the file is reopened', async () => {
    const row = (name: string, count: number): SyscallSummaryRow => ({
      pid: 100, key: '100:1', comm: 'app', name, nr: 0, count, errors: 0, total_ns: count * 1000, max_ns: 5000, p50_ns: 1000, p95_ns: 4000, p99_ns: 5000,
    });
    const session = await launch();
    await agent.sendEvents(session.agentSessionId!, [ev('exec', 1)]);
    await agent.sendSummary(session.agentSessionId!, [row('openat', 3)]);
    await agent.sendSummary(session.agentSessionId!, [row('openat', 7), row('read', 20)]);
    await until(() => session.summary.length === 2, 'the second summary');
    // a file cut off now (no end record) already holds the first summary
    await session.recorder!.flush();
    const early = await readSessionFile(session.file!, () => undefined);
    assert.deepEqual(early.summary, [row('openat', 3)]);
    assert.equal(early.incomplete, true);

    await agent.sendState(session.agentSessionId!, 'exited', { exitCode: 0 });
    await until(() => !session.live, 'the session to end');
    await session.recorder!.close({ state: 'exited', endedAt: 0 });
    const contents = await readSessionFile(session.file!, () => undefined);
    assert.deepEqual(contents.summary, [row('openat', 7), row('read', 20)], 'the latest summary is written before the end record');
    assert.equal(contents.events, 1, 'summary records are not events');

    const reopened = await manager.openFile(session.file!);
    assert.deepEqual(reopened.summary, [row('openat', 7), row('read', 20)]);
  });

  it('writes a summary record only when the summary changed, at most every SUMMARY_RECORD_MS', async () => {
    const row = (count: number): SyscallSummaryRow => ({ pid: 1, key: '1:1', comm: 'a', name: 'read', nr: 0, count, errors: 0, total_ns: 0, max_ns: 0, p50_ns: 0, p95_ns: 0, p99_ns: 0 });
    const file = path.join(dir, 'r.lens.ndjson.gz');
    const rec = new SessionRecorder(file, { runtimeLens: 'session', version: 1, title: 't', target: { kind: 'attach', pid: 1 }, startedAt: 0 }, (e) => assert.fail(e));
    rec.writeSummary([row(1)], 0);
    rec.writeSummary([row(1)], SUMMARY_RECORD_MS); // unchanged: not written again
    rec.writeSummary([row(2)], SUMMARY_RECORD_MS + 1);
    rec.writeSummary([row(3)], SUMMARY_RECORD_MS + 2); // too soon after the last record: waits for the end
    await rec.close({ state: 'stopped', endedAt: SUMMARY_RECORD_MS + 3 });
    const records = zlib.gunzipSync(fs.readFileSync(file)).toString().trim().split('\n').map((l) => JSON.parse(l) as { runtimeLens: string; ts: number; rows: SyscallSummaryRow[] });
    assert.deepEqual(records.filter((r) => r.runtimeLens === 'summary').map((r) => [r.ts, r.rows[0].count]), [[0, 1], [SUMMARY_RECORD_MS + 1, 2], [SUMMARY_RECORD_MS + 3, 3]]);
  });

  it('a session without syscall counts writes no summary record; a malformed one is reported with its line', async () => {
    const session = await launch();
    session.setSummary([]);
    await session.recorder!.close({ state: 'stopped', endedAt: 0 });
    assert.equal((await readSessionFile(session.file!, () => undefined)).summary, undefined);

    const bad = path.join(dir, 'bad.lens.ndjson.gz');
    const lines = [{ runtimeLens: 'session', version: 1, title: 't', target: { kind: 'attach', pid: 1 }, startedAt: 0 }, { runtimeLens: 'summary', ts: 0, rows: 'x' }];
    fs.writeFileSync(bad, zlib.gzipSync(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
    await assert.rejects(manager.openFile(bad), /line 2 is a summary record without a rows array/);
  });

  it('opening the file of a session still recording shows that live session', async () => {
    const live = await launch();
    assert.equal(await manager.openFile(live.file!), live);
  });

  it('delivers events and output that arrive before the start reply, to a terminal attached at creation', async () => {
    agent.eventsBeforeStartReply = [ev('exec', 1), ev('open', 2)];
    const output: string[] = [];
    let events = 0;
    const session = await manager.start(client, { kind: 'launch', command: ['app'], cwd: dir }, 'app', (s: Session) => {
      s.onDidOutput((o) => output.push(o.data.toString()));
      s.onDidAddEvents((e) => (events += e.length));
    });
    assert.equal(events, 2);
    assert.equal(session.window.size, 2);
    assert.deepEqual(output, ['early output\n']);
  });

  it('rejects a start with the agent\'s own message and keeps no session', async () => {
    await assert.rejects(launch(['no-such-command']), /command not found: no-such-command \(not in PATH\)/);
    assert.equal(manager.sessions.length, 0);
  });

  it('marks running sessions failed with the agent\'s last words when it crashes, and later requests say so', async () => {
    const a = await launch(['a']);
    const b = await launch(['b']);
    await agent.sendState(b.agentSessionId!, 'exited', { exitCode: 3 });
    await until(() => !b.live, 'b to exit');
    agent.crash(1, null, 'lens-probe: ring buffer poll failed: Bad address\nruntime-lens: probe exited with status 2');
    await until(() => a.state === 'failed', 'a to fail');
    assert.match(a.message!, /agent exited with code 1/);
    assert.match(a.message!, /probe exited with status 2/);
    assert.equal(b.stateLabel(), 'exited (code 3)', 'a finished session keeps its state');
    await assert.rejects(client.listProcesses(), /agent exited with code 1: .*ring buffer poll failed/);
    await a.recorder!.close({ state: 'failed', endedAt: 0 });
    const contents = await readSessionFile(a.file!, () => undefined);
    assert.equal(contents.trailer?.state, 'failed');
    assert.match(contents.trailer?.message ?? '', /probe exited with status 2/);
  });

  it('a stop that the agent ends as failed shows as stopped, with the agent\'s message kept', async () => {
    agent.stopEndsFailed = 'lens-probe was killed by SIGKILL';
    const s = await launch();
    const labels: string[] = [];
    s.onDidChange((x) => labels.push(x.stateLabel()));
    await manager.stop(s);
    assert.equal(labels[0], 'stopping…');
    assert.equal(s.state, 'stopped');
    assert.match(s.message ?? '', /Stopped on request; the agent reported: lens-probe was killed by SIGKILL/);
  });

  it('Stop says that Runtime Lens ended the launched program: in its terminal, the Processes view and the session file', async () => {
    const s = await launch(['python3', 'serve.py']);
    const term = new SessionTerminal(s, manager, () => undefined);
    const written: string[] = [];
    term.onDidWrite((t) => written.push(t));
    term.open();
    // the fake agent launched pid 4242, which forked 4243; neither exit is seen: the probe detaches first
    await agent.sendEvents(s.agentSessionId!, [
      ev('exec', 1, 4242, { argv: ['python3', 'serve.py'], comm: 'python3' }),
      ev('fork', 2, 4242, { child_pid: 4243 }),
    ]);
    await until(() => s.processes.size === 2, 'the processes');
    await manager.stop(s);
    assert.equal(s.stateLabel(), 'stopped: killed by Runtime Lens (SIGTERM)');
    assert.match(written.join(''), /python3 serve\.py: stopped: killed by Runtime Lens \(SIGTERM\)\. Press any key to close\./);
    const tree = new ProcessesTreeProvider(fakeVscodeTypes, manager, new FakeClock());
    const [root] = tree.getChildren() as ProcessNode[];
    assert.equal(tree.getTreeItem(root).description, 'killed by Runtime Lens (SIGTERM) · python3 serve.py');
    assert.match(String(tree.getTreeItem(root).tooltip), /state: killed by Runtime Lens \(SIGTERM\)/);
    assert.match(String(tree.getTreeItem(tree.getChildren(root)[0]).description), /^no exit seen/, 'its child was not signalled by Runtime Lens');
    tree.dispose();
    term.dispose();
    assert.match(s.message ?? '', /Runtime Lens sent SIGTERM to the launched program \(pid 4242\)/);
    await s.recorder!.close({ state: 'stopped', endedAt: 0 }); // already closed by the stop: waits for it to be on disk
    const contents = await readSessionFile(s.file!, () => undefined);
    assert.match(contents.trailer?.message ?? '', /Runtime Lens sent SIGTERM to the launched program \(pid 4242\)/);
  });

  it('stops a session through the agent and sends typed input to it', async () => {
    const s = await launch();
    await manager.input(s, Buffer.from('hello\n'));
    assert.deepEqual(agent.inputs, ['hello\n']);
    await manager.stop(s);
    assert.equal(s.state, 'stopped');
    assert.equal(s.live, false);
  });
});
