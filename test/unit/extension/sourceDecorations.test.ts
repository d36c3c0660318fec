import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emitter } from 'vscode-jsonrpc';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { showEventsForLine, type LineCommandDeps } from '../../../extension/src/commands/lineEvents';
import { parsePathMappings } from '../../../extension/src/editor/pathMappings';
import { RECENT_PER_LINE } from '../../../extension/src/editor/sourceIndex';
import { REPAINT_MS, SourceDecorations, type DecoratedEditor, type DecorationSettings, type EditorSurface, type LineDecoration } from '../../../extension/src/editor/sourceDecorations';
import { Session } from '../../../extension/src/session/session';
import { SessionRecorder } from '../../../extension/src/session/sessionFile';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import { FakeClock } from './helpers/fakeClock';
import { ev } from './helpers/fakeAgent';

/** An editor that keeps what was painted on it. */
class FakeEditor implements DecoratedEditor {
  painted: LineDecoration[] = [];
  paints = 0;
  constructor(readonly file: string | undefined) {}
  setDecorations(lines: readonly LineDecoration[]): void {
    this.painted = [...lines];
    this.paints++;
  }
  hint(line: number): string | undefined {
    return this.painted.find((d) => d.line === line - 1)?.hint;
  }
}

class FakeSurface implements EditorSurface {
  editors: FakeEditor[] = [];
  hasSource: boolean | undefined;
  private readonly changed = new Emitter<void>();
  visibleEditors() {
    return this.editors;
  }
  onDidChangeVisibleEditors(listener: () => void) {
    return this.changed.event(listener);
  }
  setHasSourceEvents(has: boolean) {
    this.hasSource = has;
  }
  show(...editors: FakeEditor[]) {
    this.editors = editors;
    this.changed.fire();
  }
}

const at = (file: string, line: number, fn = 'main') => ({ source: { file, line, function: fn } });

describe('source decorations in the editor', () => {
  const clock = new FakeClock();
  let sessions: SessionManager;
  let session: Session;
  let surface: FakeSurface;
  let settings: DecorationSettings;
  let decorations: SourceDecorations;
  const app = '/work/app/app.js';
  const lib = '/work/app/lib/db.js';

  const addSession = (s: Session) => (sessions as unknown as { add(s: Session, c: undefined): void }).add(s, undefined);

  beforeEach(() => {
    sessions = new SessionManager({ clock, log: () => undefined, settings: () => ({ sessionsDirectory: '/x', maxEventsInMemory: 1000, events: ['file'], redact: true }) });
    session = new Session({ id: 's1', title: 'node app.js', target: { kind: 'launch', command: ['node', 'app.js'] }, fromFile: false, maxEventsInMemory: 1000, clock });
    session.setState('running');
    addSession(session);
    surface = new FakeSurface();
    settings = { enabled: true, mappings: [] };
    decorations = new SourceDecorations(surface, sessions, clock, () => settings);
  });
  afterEach(() => {
    decorations.dispose();
    sessions.dispose();
  });

  it('hints each line that caused events with what it did, per kind, after a debounce, in visible editors only', () => {
    const appEditor = new FakeEditor(app);
    const other = new FakeEditor('/work/app/README.md');
    surface.show(appEditor, other);
    assert.equal(surface.hasSource, false);
    session.addEvents([
      ev('open', 1, 100, { path: '/work/app/config.json', ...at(app, 12) }),
      ev('open', 2, 100, { path: '/work/app/config.json', ...at(app, 12) }),
      ev('connect', 3, 100, { daddr: '10.0.0.5', dport: 5432, dns: 'db.internal', ...at(app, 12) }),
      ev('open', 4, 100, { path: '/etc/hosts', ...at(app, 30) }),
      ev('open', 5, 100, { path: '/tmp/no-source' }),
    ]);
    assert.equal(appEditor.paints, 0, 'nothing painted before the debounce');
    assert.equal(surface.hasSource, true, 'the context menu entry shows once events have a source');
    clock.advance(REPAINT_MS);
    assert.equal(appEditor.hint(12), 'open config.json ×2 · connect db.internal:5432');
    assert.equal(appEditor.hint(30), 'open hosts');
    assert.equal(appEditor.painted.length, 2);
    assert.equal(other.paints, 0, 'an editor of a file without events is not touched');

    // one more batch for another file: only its editor repaints, once for two batches
    const libEditor = new FakeEditor(lib);
    const appPaints = appEditor.paints;
    surface.show(appEditor, libEditor);
    session.addEvents([ev('exec', 6, 100, { filename: '/usr/bin/psql', ...at(lib, 3) })]);
    session.addEvents([ev('exec', 7, 100, { filename: '/usr/bin/psql', ...at(lib, 3) })]);
    clock.advance(REPAINT_MS);
    assert.equal(libEditor.hint(3), 'exec psql ×2');
    assert.equal(libEditor.paints, 1, 'painted once for both batches');
    assert.equal(appEditor.paints, appPaints + 1, 'app.js repainted only when the visible editors changed');
  });

  it('hovering a line lists its latest events, says how many more, and links to the events view filtered to the line', () => {
    const editor = new FakeEditor(app);
    surface.show(editor);
    const events: LensEvent[] = [];
    for (let i = 0; i < RECENT_PER_LINE + 5; i++) events.push(ev('open', 100 + i, 42, { path: `/data/f${i}.txt`, comm: 'node', ...at(app, 7) }));
    session.addEvents(events);
    clock.advance(REPAINT_MS);
    const hover = editor.painted[0].hover;
    assert.match(hover, /15 events at line 7/);
    assert.equal((hover.match(/^- `open`/gm) ?? []).length, RECENT_PER_LINE, 'a bounded list');
    assert.match(hover, /f14\\\.txt/, 'the newest event is listed');
    assert.doesNotMatch(hover, /f4\\\.txt/, 'older events beyond the bound are not');
    assert.match(hover, /and 5 more/);
    assert.match(hover, /node \(pid 42\)/);
    const link = /\]\((command:runtimeLens\.showEventsForLine\?[^ )]+)/.exec(hover);
    assert.ok(link, hover);
    const args = JSON.parse(decodeURIComponent(link[1].split('?')[1]));
    assert.deepEqual(args, [{ file: app, line: 7 }]);
    assert.equal(editor.hint(7), 'open f0.txt, f1.txt +13');
  });

  it('Show Events for This Line filters the events view to the line, from the hover link or the cursor', () => {
    session.addEvents([ev('open', 1, 100, { path: '/a', ...at('/srv/app/app.js', 9) })]);
    settings = { enabled: true, mappings: [{ from: '/srv/app', to: '/work/app' }] };
    decorations.settingsChanged();
    const shown: string[] = [];
    const infos: string[] = [];
    let cursor: ReturnType<LineCommandDeps['cursor']> = { file: app, line: 9, shownAs: 'app.js' };
    const deps: LineCommandDeps = {
      cursor: () => cursor, at: (f, l) => decorations.at(f, l), sessionTitle: () => sessions.current?.title,
      showEvents: (f) => shown.push(f), info: (m) => infos.push(m),
    };
    showEventsForLine(deps, [{ file: '/srv/app/app.js', line: 9 }][0]);
    // at the cursor: the local file's line, filtered by the path the events carry
    showEventsForLine(deps);
    assert.deepEqual(shown, ['file:/srv/app/app.js line:9', 'file:/srv/app/app.js line:9']);
    cursor = { file: app, line: 10, shownAs: 'app.js' };
    showEventsForLine(deps);
    assert.equal(shown.length, 2);
    assert.match(infos[0], /line 10 of app\.js caused no events in node app\.js/);
    cursor = undefined;
    showEventsForLine(deps);
    assert.match(infos[1], /open a source file/);
  });

  it('the toggle hides every hint and shows them again', () => {
    const editor = new FakeEditor(app);
    surface.show(editor);
    session.addEvents([ev('open', 1, 100, { path: '/a/b.txt', ...at(app, 2) })]);
    clock.advance(REPAINT_MS);
    assert.equal(editor.hint(2), 'open b.txt');
    settings = { ...settings, enabled: false };
    decorations.settingsChanged();
    assert.deepEqual(editor.painted, []);
    assert.equal(decorations.enabled, false);
    // events keep being indexed while hidden
    session.addEvents([ev('open', 2, 100, { path: '/a/c.txt', ...at(app, 2) })]);
    clock.advance(REPAINT_MS);
    assert.deepEqual(editor.painted, []);
    settings = { ...settings, enabled: true };
    decorations.settingsChanged();
    assert.equal(editor.hint(2), 'open b.txt, c.txt');
  });

  it('paths of the traced machine are mapped to local folders; bad mappings are named', () => {
    const editor = new FakeEditor('/home/me/app/src/main.py');
    surface.show(editor);
    settings = { enabled: true, mappings: parsePathMappings({ '/srv/app/': '${workspaceFolder}', '/srv': '/elsewhere' }, '/home/me/app').mappings };
    decorations.settingsChanged();
    session.addEvents([ev('connect', 1, 100, { daddr: '1.2.3.4', dport: 443, ...at('/srv/app/src/main.py', 4) })]);
    clock.advance(REPAINT_MS);
    assert.equal(editor.hint(4), 'connect 1.2.3.4:443');
    const bad = parsePathMappings({ relative: '/x', '/a': 'not/absolute', '/b': 3 }, undefined);
    assert.deepEqual(bad.mappings, []);
    assert.equal(bad.problems.length, 3);
    assert.match(bad.problems.join('\n'), /"relative" must be an absolute path on the traced machine/);
  });

  it('a reopened session file decorates its lines; switching sessions repaints', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-deco-'));
    try {
      const file = path.join(dir, 'run.lens.ndjson.gz');
      const recorder = new SessionRecorder(file, { runtimeLens: 'session', version: 1, title: 'recorded', target: { kind: 'launch', command: ['node', 'app.js'] }, startedAt: 1 }, (err) => { throw err; });
      recorder.write([ev('open', 1, 100, { path: '/srv/data.db', ...at(app, 21) }), ev('open', 2, 100, { path: '/srv/data.db', ...at(app, 21) })]);
      await recorder.close({ state: 'exited', endedAt: 2, exitCode: 0 });
      const editor = new FakeEditor(app);
      surface.show(editor);
      const reopened = await sessions.openFile(file);
      assert.equal(sessions.current, reopened);
      assert.equal(editor.hint(21), 'open data.db ×2');
      sessions.setCurrent(session);
      assert.deepEqual(editor.painted, [], 'the live session has no events at app.js');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
