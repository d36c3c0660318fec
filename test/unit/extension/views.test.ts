import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { Session } from '../../../extension/src/session/session';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import type { ProcessNode } from '../../../remote-agent/src/model/process-tree';
import { ProcessesTreeProvider } from '../../../extension/src/views/processesTree';
import { startTime } from '../../../extension/src/views/format';
import { SessionsTreeProvider } from '../../../extension/src/views/sessionsTree';
import { SessionStatusBar } from '../../../extension/src/views/statusBar';
import { FakeClock } from './helpers/fakeClock';
import { ev } from './helpers/fakeAgent';
import { fakeVscodeTypes } from './helpers/fakeVscodeTypes';

describe('side bar views and status bar', () => {
  const clock = new FakeClock();
  let sessions: SessionManager;
  let session: Session;

  beforeEach(() => {
    sessions = new SessionManager({ clock, log: () => undefined, settings: () => ({ sessionsDirectory: '/x', maxEventsInMemory: 1000, events: ['exec'], redact: true }) });
    session = new Session({ id: 's1', title: 'make test', target: { kind: 'launch', command: ['make', 'test'], cwd: '/src' }, fromFile: false, maxEventsInMemory: 1000, clock });
    session.setState('running');
    (sessions as unknown as { add(s: Session, c: undefined): void }).add(session, undefined);
    session.addEvents([
      ev('exec', 1, 10, { argv: ['make', 'test'], comm: 'make' }),
      ev('fork', 2, 10, { child_pid: 11 }),
      ev('exec', 3, 11, { ppid: 10, argv: ['cc', 'a.c'], comm: 'cc' }),
      ev('exit', 4, 11, { exit_code: 1 }),
    ]);
    session.setStats({ sessionId: 'x', state: 'running', events: { exec: 2, fork: 1, exit: 1 }, total: 4, rate: 1500, lost: { open: 7 }, lostTotal: 7, lostReasons: { buffers_full: 2, client_not_reading: 5 }, startedAt: clock.now() });
  });
  afterEach(() => sessions.dispose());

  it('the Processes tree shows ancestry, command lines and exit codes; an unseen exit of an ended session is not "running"', () => {
    const tree = new ProcessesTreeProvider(fakeVscodeTypes, sessions, clock);
    const roots = tree.getChildren() as ProcessNode[];
    assert.equal(roots.length, 1);
    const make = tree.getTreeItem(roots[0]);
    assert.equal(make.label, 'make (10)');
    assert.equal(make.description, 'running · make test');
    const cc = tree.getTreeItem(tree.getChildren(roots[0])[0]);
    assert.equal(cc.label, 'cc (11)');
    assert.equal(cc.description, 'exit 1 · cc a.c');
    assert.equal((cc.iconPath as vscode.ThemeIcon).id, 'error');
    let refreshed = 0;
    tree.onDidChangeTreeData(() => refreshed++);
    session.setState('stopped');
    clock.advance(1000);
    assert.ok(refreshed > 0, 'the tree repaints when the session ends');
    assert.equal(tree.getTreeItem(roots[0]).description, 'no exit seen · make test');
    tree.dispose();
  });

  it('the Processes tree shows a reused pid as two processes, each with its own state and command line', () => {
    session.addEvents([
      ev('fork', 5, 10, { child_pid: 11, child_key: '11:5000' }),
      ev('exec', 6, 11, { key: '11:5000', pkey: '10:1000', ppid: 10, argv: ['ld', 'a.o'], comm: 'ld' }),
    ]);
    const tree = new ProcessesTreeProvider(fakeVscodeTypes, sessions, clock);
    const items = tree.getChildren(tree.getChildren()[0]).map((c) => tree.getTreeItem(c));
    assert.deepEqual(items.map((i) => [i.label, i.description]), [['cc (11)', 'exit 1 · cc a.c'], ['ld (11)', 'running · ld a.o']]);
    assert.notEqual(items[0].id, items[1].id);
    tree.dispose();
  });

  it('the Sessions tree shows target, state, counts and lost events', () => {
    const tree = new SessionsTreeProvider(fakeVscodeTypes, sessions, clock);
    const [row] = tree.getChildren();
    const item = tree.getTreeItem(row);
    assert.equal(item.label, 'make test');
    assert.equal(item.description, `${startTime(clock.now(), clock.now())} · running · 4 events · lost 7 · shown`);
    assert.match(String(item.description), /^\d\d:\d\d:\d\d · /, 'started today: the time of day');
    assert.equal(item.contextValue, 'session.live');
    const details = tree.getChildren(row).map((d) => tree.getTreeItem(d));
    const byLabel = Object.fromEntries(details.map((d) => [d.label, d.description]));
    assert.equal(byLabel['Command'], 'make test  (in /src)');
    assert.equal(byLabel['Lost'], '7 (buffers full 2, client not reading 5)');
    const lost = details.find((d) => d.label === 'Lost')!;
    assert.match(String(lost.tooltip), /client not reading: the agent's queue to VS Code was full/);
    assert.match(String(byLabel['Events']), /^4 \(1\.5k\/s\)/);
    tree.dispose();
  });

  it('the Sessions tree tells apart two sessions of the same command by their start time', () => {
    const earlier = new Session({ id: 's0', title: 'make test', target: { kind: 'launch', command: ['make', 'test'], cwd: '/src' }, fromFile: true, maxEventsInMemory: 10, clock });
    earlier.stats.startedAt = clock.now() - 2 * 86_400_000 - 3_600_000;
    earlier.setState('exited', { exitCode: 0 });
    (sessions as unknown as { add(s: Session, c: undefined): void }).add(earlier, undefined);
    const tree = new SessionsTreeProvider(fakeVscodeTypes, sessions, clock);
    const descriptions = tree.getChildren().map((row) => String(tree.getTreeItem(row).description));
    assert.equal(descriptions.length, 2);
    assert.match(descriptions[0], /^\d{4}-\d\d-\d\d \d\d:\d\d · exited \(code 0\)/, 'another day: the date too');
    assert.match(descriptions[1], /^\d\d:\d\d:\d\d · running/);
    assert.notEqual(descriptions[0].slice(0, 16), descriptions[1].slice(0, 16));
    tree.dispose();
  });

  it('a probe that died with events queued: the views say at least N lost, or unknown, never 0', () => {
    const tree = new SessionsTreeProvider(fakeVscodeTypes, sessions, clock);
    const lostRow = () => tree.getChildren(tree.getChildren()[0]).map((d) => tree.getTreeItem(d)).find((d) => d.label === 'Lost')!;
    session.setStats({ sessionId: 'x', state: 'failed', events: {}, total: 4, rate: 0, lost: { open: 1500 }, lostTotal: 1500, lostBound: 'atLeast', startedAt: 0 });
    assert.equal(lostRow().description, '≥1.5k');
    assert.equal((lostRow().iconPath as vscode.ThemeIcon).id, 'warning');
    assert.match(String(tree.getTreeItem(tree.getChildren()[0]).description), / · lost ≥1\.5k/);
    session.setStats({ sessionId: 'x', state: 'failed', events: {}, total: 4, rate: 0, lost: {}, lostTotal: 0, lostBound: 'unknown', startedAt: 0 });
    assert.equal(lostRow().description, 'unknown');
    assert.match(SessionStatusBar.text(session), / · lost unknown$/);
    tree.dispose();
  });

  it('the status bar shows rate and lost, turns to a warning when events were lost, and opens the events view', () => {
    const items: Record<string, unknown>[] = [];
    const bar = new SessionStatusBar({
      createStatusBarItem: () => {
        const item = { text: '', visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() {} } as Record<string, unknown>;
        items.push(item);
        return item as unknown as vscode.StatusBarItem;
      },
    }, 1 as vscode.StatusBarAlignment, { id: 'warn' } as vscode.ThemeColor, sessions);
    const item = items[0];
    assert.equal(item.text, '$(pulse) 1.5k ev/s · 4 events · lost 7');
    assert.match(String(item.tooltip), /7 lost \(buffers full 2, client not reading 5\)/);
    assert.equal(item.command, 'runtimeLens.openEvents');
    assert.deepEqual(item.backgroundColor, { id: 'warn' });
    assert.equal(item.visible, true);
    sessions.setCurrent(undefined);
    assert.equal(item.visible, false);
    bar.dispose();
  });
});
