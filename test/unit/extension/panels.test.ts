import assert from 'node:assert/strict';
import { Emitter } from 'vscode-jsonrpc';
import type * as vscode from 'vscode';
import type { FromWebview, ToWebview } from '../../../webview/src/messages';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import { COUNTS_MS, Session } from '../../../extension/src/session/session';
import { SessionsTreeProvider } from '../../../extension/src/views/sessionsTree';
import { SessionStatusBar } from '../../../extension/src/views/statusBar';
import { PanelManager } from '../../../extension/src/webviews/panelManager';
import { FakeClock } from './helpers/fakeClock';
import { ev } from './helpers/fakeAgent';
import { fakeVscodeTypes } from './helpers/fakeVscodeTypes';

/** A webview panel that records what the extension posts and lets the test play the webview. */
class FakePanel {
  readonly posted: ToWebview[] = [];
  revealed = 0;
  disposed = false;
  private readonly fromWebview = new Emitter<FromWebview>();
  private readonly disposeEmitter = new Emitter<void>();
  private readonly viewState = new Emitter<vscode.WebviewPanelOnDidChangeViewStateEvent>();
  readonly onDidDispose = this.disposeEmitter.event;
  readonly onDidChangeViewState = this.viewState.event;
  title: string;
  readonly webview = {
    html: '',
    options: {} as vscode.WebviewOptions,
    cspSource: 'https://webview.test',
    asWebviewUri: (u: { path: string }) => ({ toString: () => `https://webview.test${u.path}` }),
    postMessage: async (m: ToWebview) => {
      this.posted.push(m);
      return true;
    },
    onDidReceiveMessage: this.fromWebview.event,
  };
  constructor(readonly viewType: string, title: string, readonly options: vscode.WebviewPanelOptions & vscode.WebviewOptions) {
    this.title = title;
  }
  reveal() {
    this.revealed++;
  }
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }
  /** the webview sends a message */
  send(m: FromWebview) {
    this.fromWebview.fire(m);
  }
  types() {
    return this.posted.map((m) => m.type);
  }
}

describe('webview panels', () => {
  const clock = new FakeClock();
  const root = { path: '/ext/webview/dist' } as vscode.Uri;
  let created: FakePanel[];
  let sessions: SessionManager;
  let panels: PanelManager;
  let exported: Session[];

  beforeEach(() => {
    created = [];
    exported = [];
    sessions = new SessionManager({ clock, log: () => undefined, settings: () => ({ sessionsDirectory: '/nonexistent', maxEventsInMemory: 1000, events: ['exec'], redact: true }) });
    panels = new PanelManager(
      {
        createWebviewPanel: (viewType, title, _column, options) => {
          const p = new FakePanel(viewType, title, options);
          created.push(p);
          return p as unknown as vscode.WebviewPanel;
        },
        joinPath: (base, ...segments) => ({ path: [base.path, ...segments].join('/') }) as vscode.Uri,
        activeColumn: 1,
      },
      root, sessions, clock,
      { copy: () => undefined, reveal: () => undefined, exportDependencies: (s) => exported.push(s), log: () => undefined },
    );
  });
  afterEach(() => {
    panels.dispose();
    sessions.dispose();
  });

  const fileSession = () => {
    const s = new Session({ id: 'f1', title: 'demo', target: { kind: 'attach', pid: 1 }, fromFile: true, maxEventsInMemory: 100, clock });
    s.addEvents([ev('exec', 1), ev('open', 2)]);
    s.setState('stopped'); // as SessionManager.openFile does once the file is read
    (sessions as unknown as { add(s: Session, c: undefined): void }).add(s, undefined);
    return s;
  };

  it('creates one panel per view with a strict CSP, the bundle as the only resource root, and reveals it when opened again', () => {
    panels.open('events');
    panels.open('events');
    assert.equal(created.length, 1);
    assert.equal(created[0].revealed, 1);
    const p = created[0];
    assert.equal(p.title, 'Runtime Lens: Events');
    assert.deepEqual(p.options.localResourceRoots, [root]);
    assert.equal(p.options.enableScripts, true);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(p.webview.html)?.[1] ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16, 'a random nonce');
    assert.match(csp, /^default-src 'none'; script-src 'nonce-[^']+'; style-src https:\/\/webview\.test 'nonce-[^']+'; font-src https:\/\/webview\.test/);
    assert.ok(p.webview.html.includes(`<script nonce="${nonce}" src="https://webview.test/ext/webview/dist/webview.js"></script>`));
    assert.match(p.webview.html, /data-view="events"/);
    panels.open('processTree');
    assert.equal(created.length, 2);
    const nonce2 = /'nonce-([^']+)'/.exec(created[1].webview.html)?.[1];
    assert.notEqual(nonce2, nonce, 'a fresh nonce per page');
  });

  it('a view asking for events (a process, an endpoint, a package) opens the events view filtered, once it is ready; Export asks for the session\'s dependencies', () => {
    const s = fileSession();
    panels.open('dependencies');
    const deps = created[0];
    assert.equal(deps.title, 'Runtime Lens: Dependencies');
    deps.send({ type: 'ready', view: 'dependencies' });
    deps.send({ type: 'showEvents', filter: 'pkg:express' });
    const events = created[1];
    assert.equal(events.viewType, 'runtimeLens.events');
    clock.advance(1000);
    assert.equal(events.posted.length, 0, 'nothing before the webview says it is ready');
    events.send({ type: 'ready', view: 'events' });
    clock.advance(1000);
    assert.deepEqual(events.types(), ['init', 'reset', 'events', 'stats', 'filter'], 'the filter follows the replayed events');
    assert.deepEqual(events.posted[4], { type: 'filter', text: 'pkg:express' });
    // the events view already open: the filter goes at once
    panels.showEvents('key:100:1000');
    clock.advance(1000);
    assert.deepEqual(events.posted[events.posted.length - 1], { type: 'filter', text: 'key:100:1000' });
    assert.equal(events.revealed, 1);
    deps.send({ type: 'exportDependencies' });
    assert.deepEqual(exported, [s]);
  });

  it('replays the current session when the webview is ready, then streams batches; follows the current session', () => {
    const s = fileSession();
    panels.open('events');
    const p = created[0];
    assert.equal(p.posted.length, 0, 'nothing before the webview says it is ready');
    p.send({ type: 'ready', view: 'events' });
    clock.advance(1000);
    assert.deepEqual(p.types(), ['init', 'reset', 'events', 'stats']);
    s.addEvents([ev('open', 3)]);
    s.addEvents([ev('open', 4)]);
    clock.advance(1000);
    const streamed = p.posted.slice(4).filter((m) => m.type === 'events');
    assert.deepEqual(streamed.flatMap((m) => (m.type === 'events' ? m.events.map((e) => e.ts) : [])), [3, 4], 'coalesced into one message');
    assert.equal(streamed.length, 1);

    sessions.setCurrent(undefined);
    clock.advance(1000);
    assert.equal(p.posted[p.posted.length - 1].type, 'reset');
  });

  it('the Sessions row, the status bar and the events view count the same events, and change together', () => {
    const s = new Session({ id: 's1', title: 'app', target: { kind: 'launch', command: ['app'], cwd: '/' }, fromFile: false, maxEventsInMemory: 1000, clock });
    s.setState('running');
    (sessions as unknown as { add(s: Session, c: undefined): void }).add(s, undefined);
    const tree = new SessionsTreeProvider(fakeVscodeTypes, sessions, clock);
    const item = { text: '', show() {}, hide() {}, dispose() {} } as unknown as vscode.StatusBarItem;
    const bar = new SessionStatusBar({ createStatusBarItem: () => item }, 1 as vscode.StatusBarAlignment, { id: 'warn' } as vscode.ThemeColor, sessions);
    panels.open('events');
    const p = created[0];
    p.send({ type: 'ready', view: 'events' });
    const row = () => String(tree.getTreeItem(tree.getChildren()[0]).description);
    const inView = () => p.posted.reduce((n, m) => n + (m.type === 'events' ? m.events.length : 0), 0);
    const viewStats = () => p.posted.filter((m) => m.type === 'stats').map((m) => (m.type === 'stats' ? m.stats.total : -1)).pop();

    for (let i = 0; i < 37; i++) s.addEvents([ev('open', i)]);
    // the agent has counted one more that is still in its next batch
    s.setStats({ sessionId: 'agent-1', state: 'running', events: { open: 38 }, total: 38, rate: 38, lost: {}, lostTotal: 0, startedAt: 0 });
    clock.advance(1000);
    assert.match(row(), /· 37 events/);
    assert.match(item.text, /· 37 events ·/);
    assert.equal(viewStats(), 37);
    assert.equal(inView(), 37);
    assert.deepEqual(s.stats.events, { open: 37 });

    let repaints = 0;
    tree.onDidChangeTreeData(() => repaints++);
    s.addEvents([ev('open', 100)]);
    assert.equal(repaints, 0, 'not repainted per batch');
    assert.match(item.text, /· 37 events ·/);
    clock.advance(COUNTS_MS);
    assert.equal(repaints, 1, 'repainted once, after COUNTS_MS');
    assert.match(row(), /· 38 events/);
    assert.match(item.text, /· 38 events ·/);
    clock.advance(1000);
    assert.equal(viewStats(), 38);
    assert.equal(inView(), 38);
    bar.dispose();
    tree.dispose();
  });

  it('a live session that ends with fewer events than the agent sent says how many did not arrive', () => {
    const s = new Session({ id: 's1', title: 'app', target: { kind: 'launch', command: ['app'], cwd: '/' }, fromFile: false, maxEventsInMemory: 1000, clock });
    s.setState('running');
    s.addEvents([ev('open', 1)]);
    s.setStats({ sessionId: 'agent-1', state: 'running', events: {}, total: 3, rate: 0, lost: {}, lostTotal: 0, startedAt: 0 });
    assert.equal(s.message, undefined, 'a running session may still receive them');
    s.setStats({ sessionId: 'agent-1', state: 'exited', events: {}, total: 3, rate: 0, lost: {}, lostTotal: 0, startedAt: 0 });
    assert.match(s.message ?? '', /The agent sent 3 events; 2 of them did not reach VS Code/);
    assert.equal(s.stats.total, 1);
    s.dispose();
  });

  it('links a selection made in one view to the other views of the same session', () => {
    fileSession();
    panels.open('events');
    panels.open('timeline');
    const [table, timeline] = created;
    table.send({ type: 'ready', view: 'events' });
    timeline.send({ type: 'ready', view: 'timeline' });
    clock.advance(1000);
    const event = ev('open', 2);
    table.send({ type: 'select', key: '2:100:100:open', event });
    timeline.send({ type: 'timeRange', from: 1, to: 2 });
    clock.advance(1000);
    assert.ok(timeline.posted.some((m) => m.type === 'select' && m.key === '2:100:100:open'));
    assert.ok(!table.posted.some((m) => m.type === 'select'), 'not echoed to its sender');
    assert.ok(table.posted.some((m) => m.type === 'timeRange' && m.from === 1 && m.to === 2));
  });

  it('forgets a panel the user closed, and opens a new one next time', () => {
    panels.open('networkMap');
    created[0].dispose();
    panels.open('networkMap');
    assert.equal(created.length, 2);
  });
});
