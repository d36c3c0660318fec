import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emitter } from 'vscode-jsonrpc';
import type * as vscode from 'vscode';
import * as zlib from 'node:zlib';
import { checkSessionFile, listSessionFiles, pickSessionFile, type SessionFilePickerUi } from '../../../extension/src/commands/openSessionFile';
import { SessionManager } from '../../../extension/src/session/sessionManager';
import type { PanelManager } from '../../../extension/src/webviews/panelManager';
import { SessionFileEditorProvider } from '../../../extension/src/webviews/sessionFileEditor';
import { systemClock } from '../../../extension/src/util/clock';

type Item = vscode.QuickPickItem & { file?: string; browse?: boolean };

/** A quick pick the test drives: it waits until the items are loaded, then types and presses Enter. */
function fakeQuickPick(act: (qp: FakeQuickPick) => void) {
  return new FakeQuickPick(act);
}
class FakeQuickPick {
  title: string | undefined;
  placeholder: string | undefined;
  items: readonly Item[] = [];
  value = '';
  activeItems: readonly Item[] = [];
  selectedItems: readonly Item[] = [];
  matchOnDescription = false;
  matchOnDetail = false;
  private isBusy = false;
  private readonly accept = new Emitter<void>();
  private readonly hideE = new Emitter<void>();
  readonly onDidAccept = this.accept.event as vscode.Event<void>;
  readonly onDidHide = this.hideE.event as vscode.Event<void>;
  constructor(private readonly act: (qp: FakeQuickPick) => void) {}
  get busy() {
    return this.isBusy;
  }
  set busy(v: boolean) {
    const wasBusy = this.isBusy;
    this.isBusy = v;
    if (wasBusy && !v) this.act(this);
  }
  show() {}
  hide() {
    this.hideE.fire();
  }
  dispose() {}
  enter() {
    this.accept.fire();
  }
}

describe('Open Session File…', () => {
  let dir: string;
  const errors: string[] = [];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-open-'));
    fs.writeFileSync(path.join(dir, 'old.lens.ndjson.gz'), 'x');
    fs.utimesSync(path.join(dir, 'old.lens.ndjson.gz'), new Date(1000), new Date(1000));
    fs.writeFileSync(path.join(dir, 'new.lens.ndjson.gz'), 'xy');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const ui = (qp: FakeQuickPick): SessionFilePickerUi => ({
    createQuickPick: () => qp as never,
    showOpenDialog: async () => undefined,
    showErrorMessage: async (m) => void errors.push(m),
    file: (p) => ({ fsPath: p }) as vscode.Uri,
  });

  it('lists the recorded sessions newest first', async () => {
    assert.deepEqual((await listSessionFiles(dir)).map((e) => path.basename(e.file)), ['new.lens.ndjson.gz', 'old.lens.ndjson.gz']);
    assert.deepEqual(await listSessionFiles(path.join(dir, 'missing')), []);
  });

  it('opens a picked session or a typed path, searchable by path', async () => {
    let shown: readonly Item[] = [];
    const picked = await pickSessionFile(ui(fakeQuickPick((qp) => {
      shown = qp.items;
      qp.activeItems = [qp.items[2]];
      qp.enter();
    })), dir);
    assert.equal(picked, path.join(dir, 'old.lens.ndjson.gz'));
    assert.deepEqual(shown.map((i) => i.label), ['$(folder-opened) Browse…', 'new', 'old']);

    const typed = path.join(dir, 'new.lens.ndjson.gz');
    assert.equal(await pickSessionFile(ui(fakeQuickPick((qp) => {
      qp.value = typed;
      qp.enter();
    })), dir), typed);
  });

  it('says what is wrong with a typed path', async () => {
    errors.length = 0;
    const typed = path.join(dir, 'notes.txt');
    assert.equal(await pickSessionFile(ui(fakeQuickPick((qp) => {
      qp.value = typed;
      qp.enter();
    })), dir), undefined);
    assert.deepEqual(errors, [`Runtime Lens: ${typed} is not a session file (expected a name ending in .lens.ndjson.gz).`]);
    assert.match((await checkSessionFile(path.join(dir, 'gone.lens.ndjson.gz'))) ?? '', /does not exist/);
    assert.match((await checkSessionFile('rel.lens.ndjson.gz')) ?? '', /not an absolute path/);
  });

  it('a corrupt or foreign session file opens in the editor with the extension\'s message, not VS Code\'s generic error', async () => {
    const sessions = new SessionManager({ clock: systemClock, log: () => undefined, settings: () => ({ sessionsDirectory: dir, maxEventsInMemory: 100, events: ['exec'], redact: true }) });
    const logged: string[] = [];
    // the panel manager is only used for a file that could be read
    const editor = new SessionFileEditorProvider(sessions, undefined as unknown as PanelManager, (l) => logged.push(l));
    const cases: Array<[string, Buffer, RegExp]> = [
      ['corrupt.lens.ndjson.gz', Buffer.from('not gzip at all'), /could not read the session file .*corrupt\.lens\.ndjson\.gz: incorrect header check/],
      ['foreign.lens.ndjson.gz', zlib.gzipSync('{"some":"other program"}\n'), /foreign\.lens\.ndjson\.gz is not a Runtime Lens session file: its first line has no &quot;runtimeLens&quot;:&quot;session&quot; header/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const doc = await editor.openCustomDocument({ fsPath: file } as vscode.Uri);
      assert.equal(doc.session, undefined);
      const panel = { webview: { options: {}, html: '' }, onDidChangeViewState: () => ({ dispose() {} }) };
      editor.resolveCustomEditor(doc, panel as never);
      assert.match(panel.webview.html, /<h2>Runtime Lens cannot show this session file<\/h2>/);
      assert.match(panel.webview.html, message);
      assert.match(panel.webview.html, /gzip-compressed NDJSON \(\*\.lens\.ndjson\.gz\)/);
      assert.doesNotMatch(panel.webview.html, /<script/);
      assert.deepEqual(panel.webview.options, { enableScripts: false, localResourceRoots: [] });
    }
    assert.equal(sessions.sessions.length, 0, 'nothing is added to the Sessions view');
    assert.equal(logged.length, 2);
    sessions.dispose();
  });
});
