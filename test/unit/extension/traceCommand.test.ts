import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findExecutable, parseCommandLine, validateCommandLine } from '../../../extension/src/commands/commandLine';
import { HISTORY_KEY, TraceCommandPrompt } from '../../../extension/src/commands/traceCommand';
import { FakeInputBox, MemoryMemento } from './helpers/fakeVscode';

describe('command line parsing', () => {
  it('splits words like a POSIX shell without expanding anything', () => {
    assert.deepEqual(parseCommandLine(`python3 -c 'print("a b")' "x \\"y\\"" a\\ b $HOME`), ['python3', '-c', 'print("a b")', 'x "y"', 'a b', '$HOME']);
    assert.deepEqual(parseCommandLine(`  ls   ''  `), ['ls', '']);
  });

  it('names the unterminated quote', () => {
    assert.throws(() => parseCommandLine(`echo 'abc`), /unterminated ' quote at column 6/);
    assert.throws(() => parseCommandLine(`echo "abc`), /unterminated " quote at column 6/);
  });
});

describe('validateCommandLine', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-trace-'));
    fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'data.txt'), 'not executable', { mode: 0o644 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('asks for a command when the input is empty or blank', async () => {
    for (const text of ['', '   ', "''"]) {
      const r = await validateCommandLine(text, dir);
      assert.ok('message' in r, `"${text}" should be refused`);
    }
    const r = await validateCommandLine('  ', dir);
    assert.match('message' in r ? r.message : '', /Enter the command to trace/);
  });

  it('says when a command is not in PATH or a path is not executable', async () => {
    const unknown = await validateCommandLine('no-such-command-xyz --flag', dir);
    assert.match('message' in unknown ? unknown.message : '', /Command not found: "no-such-command-xyz" is not in PATH/);
    const notExec = await validateCommandLine('./data.txt', dir);
    assert.match('message' in notExec ? notExec.message : '', /No executable file at .*data\.txt/);
  });

  it('explains that shell syntax needs sh -c', async () => {
    const r = await validateCommandLine('ls | wc -l', dir);
    assert.match('message' in r ? r.message : '', /not run through a shell.*sh -c 'ls \| wc -l'/);
  });

  it('accepts commands found in PATH or relative to the folder', async () => {
    assert.deepEqual(await validateCommandLine('sh -c "echo 1"', dir), { argv: ['sh', '-c', 'echo 1'] });
    assert.deepEqual(await validateCommandLine('./run.sh a', dir), { argv: ['./run.sh', 'a'] });
    assert.equal(await findExecutable('run.sh', '/', dir), path.join(dir, 'run.sh'));
  });
});

describe('TraceCommandPrompt', () => {
  const setup = (run: (argv: string[], cwd: string | undefined) => Promise<void>) => {
    const box = new FakeInputBox();
    const history = new MemoryMemento();
    const errors: string[] = [];
    const prompt = new TraceCommandPrompt({
      ui: { createInputBox: () => box, showQuickPick: async (items) => items[1], showErrorMessage: async (m) => errors.push(m) },
      history,
      workspaceFolder: () => '/tmp',
      homeDirectory: os.homedir(),
      historyButton: { iconPath: { id: 'history' } as never, tooltip: 'Previous commands' },
      run,
    });
    return { box, history, prompt, errors };
  };

  it('shows problems in the input box and keeps it open until a session starts; remembers the command', async () => {
    const runs: string[][] = [];
    const { box, history, prompt } = setup(async (argv, cwd) => {
      assert.equal(cwd, '/tmp', 'runs in the first workspace folder');
      if (argv[0] === 'false') throw new Error('The agent refused: probe not permitted');
      runs.push(argv);
    });
    const done = prompt.prompt();
    assert.ok(box.visible);
    await box.pressEnter();
    assert.match(box.message ?? '', /Enter the command to trace/);
    assert.ok(box.visible, 'still open');

    box.type('no-such-command-xyz');
    assert.equal(box.message, undefined, 'typing clears the message');
    await box.pressEnter();
    assert.match(box.message ?? '', /Command not found/);

    box.type('false');
    await box.pressEnter();
    assert.equal(box.message, 'The agent refused: probe not permitted', 'the agent\'s error is shown in place');
    assert.ok(box.visible);

    box.type('sh -c "echo hi"');
    await box.pressEnter();
    assert.equal(await done, true);
    assert.deepEqual(runs, [['sh', '-c', 'echo hi']]);
    assert.deepEqual(history.get(HISTORY_KEY), ['sh -c "echo hi"']);
    assert.ok(box.disposed);
  });

  it('prefills the last command, offers history, and resolves false when dismissed', async () => {
    const { box, history, prompt } = setup(async () => undefined);
    await history.update(HISTORY_KEY, ['ls -l', 'sh -c "echo 1"']);
    const done = prompt.prompt();
    assert.equal(box.value, 'ls -l');
    assert.deepEqual(box.valueSelection, [0, 5]);
    assert.equal(box.buttons.length, 1);
    const shown = new Promise<void>((r) => box.onShown(r));
    box.clickButton();
    box.hide(); // the history quick pick takes the focus
    await shown;
    assert.equal(box.value, 'sh -c "echo 1"');
    box.hide();
    assert.equal(await done, false);
  });
});
