import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emitter } from 'vscode-jsonrpc';
import type * as vscode from 'vscode';
import { checkSessionFile, listSessionFiles, pickSessionFile, type SessionFilePickerUi } from '../../../extension/src/commands/openSessionFile';

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
});
