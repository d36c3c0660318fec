import assert from 'node:assert/strict';
// An event's source: the innermost frame of the user's own code (model/source-frame.ts).
import { isLibraryFrame, sourceFrame } from '../../../remote-agent/src/model/source-frame';
import type { Frame } from '../../../remote-agent/src/protocol';

const libc: Frame = { kind: 'native', function: '__libc_open64', file: '../sysdeps/unix/sysv/linux/open64.c', line: 41, module: '/usr/lib/x86_64-linux-gnu/libc.so.6' };
const noLine: Frame = { kind: 'native', function: 'fopen', module: '/usr/lib/x86_64-linux-gnu/libc.so.6', reason: 'no debug info' };
const app = (line: number, fn = 'load_config'): Frame => ({ kind: 'native', function: fn, file: '/home/u/proj/src/main.c', line, column: 9, module: '/home/u/proj/app' });

describe('source frame (the user\'s own line of an event)', () => {
  it('skips the C library and frames without a line, and takes the innermost frame of the program', () => {
    assert.deepEqual(sourceFrame([libc, noLine, app(12), app(30, 'main')]), { file: '/home/u/proj/src/main.c', line: 12, column: 9, function: 'load_config' });
  });

  it('skips dependencies, runtimes and standard libraries of each language', () => {
    const user: Frame = { kind: 'js', function: 'start', file: '/srv/app/index.js', line: 7, column: 3 };
    const frames: Frame[] = [
      { kind: 'js', function: 'openSync', file: 'node:fs', line: 581 },
      { kind: 'js', function: 'readPkg', file: '/srv/app/node_modules/read-pkg/index.js', line: 20 },
      { kind: 'python', function: 'open', file: '/usr/lib/python3.11/pathlib.py', line: 1044 },
      { kind: 'python', function: 'get', file: '/home/u/.venv/lib/python3.11/site-packages/requests/api.py', line: 73 },
      { kind: 'python', function: 'run', file: '/root/.pyenv/versions/3.12.1/lib/python3.12/subprocess.py', line: 548 },
      { kind: 'native', function: 'read', file: '/rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/std/src/fs.rs', line: 99 },
      { kind: 'native', function: 'os.Open', file: '/usr/lib/go-1.19/src/os/file.go', line: 311 },
      { kind: 'js', function: 'helper', file: '/srv/app/lib/helper.js', line: 3, package: 'helper' },
      user,
    ];
    assert.equal(isLibraryFrame(frames[0]), true);
    assert.deepEqual(sourceFrame(frames), { file: '/srv/app/index.js', line: 7, column: 3, function: 'start' });
  });

  it('prefers the workspace: its innermost frame there, not a dependency inside it, even under /usr', () => {
    const ws = '/usr/src/proj';
    const inWs: Frame = { kind: 'native', function: 'f', file: '/usr/src/proj/f.c', line: 5 };
    const dep: Frame = { kind: 'js', function: 'g', file: '/usr/src/proj/node_modules/x/g.js', line: 9 };
    const other: Frame = { kind: 'native', function: 'h', file: '/opt/other/h.c', line: 2 };
    assert.deepEqual(sourceFrame([other, dep, inWs], [ws + '/']), { file: '/usr/src/proj/f.c', line: 5, function: 'f' });
    // without the workspace, /usr/src is a system source tree and the other program's frame is the source
    assert.deepEqual(sourceFrame([other, dep, inWs]), { file: '/opt/other/h.c', line: 2, function: 'h' });
    // a workspace prefix is a folder, not a string prefix
    assert.deepEqual(sourceFrame([inWs], ['/usr/src/pro']), undefined);
  });

  it('falls back outside the workspace when no frame is in it, and is undefined when nothing qualifies', () => {
    assert.deepEqual(sourceFrame([libc, app(12)], ['/elsewhere']), { file: '/home/u/proj/src/main.c', line: 12, column: 9, function: 'load_config' });
    assert.equal(sourceFrame([libc, noLine]), undefined);
    assert.equal(sourceFrame(undefined), undefined);
    assert.equal(sourceFrame([]), undefined);
  });
});
