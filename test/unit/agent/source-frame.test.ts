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

  it('in a JS or Python stack, skips the runtime\'s native frames even where they have lines: node\'s libuv, a Python built with debug info', () => {
    const libuv: Frame = { kind: 'native', function: 'uv__fs_open', file: '/home/iojs/build/ws/deps/uv/src/unix/fs.c', line: 386, module: '/usr/bin/node' };
    const js: Frame = { kind: 'js', function: 'load', file: '/srv/app/index.js', line: 7, column: 3 };
    assert.deepEqual(sourceFrame([libc, libuv, js]), { file: '/srv/app/index.js', line: 7, column: 3, function: 'load' });
    const interp: Frame = { kind: 'native', function: '_io_FileIO___init___impl', file: '/tmp/python-build.1/Python-3.13.0/Modules/_io/fileio.c', line: 400, module: '/usr/local/bin/python3.13' };
    const py: Frame = { kind: 'python', function: 'save', file: '/srv/app/store.py', line: 6, column: 10 };
    assert.deepEqual(sourceFrame([interp, py], ['/srv/app']), { file: '/srv/app/store.py', line: 6, column: 10, function: 'save' });
    // a native program's own frames stay its source
    assert.deepEqual(sourceFrame([libc, { ...libuv, module: '/home/u/proj/app' }]), { file: '/home/iojs/build/ws/deps/uv/src/unix/fs.c', line: 386, function: 'uv__fs_open' });
  });

  it('skips native code mapped from a runtime\'s or the system\'s folders, whatever its debug info names', () => {
    const pyenv: Frame = { kind: 'native', function: 'os_open', file: '/tmp/python-build.1/Python-3.13.0/Modules/posixmodule.c', line: 10, module: '/root/.pyenv/versions/3.13.0/lib/libpython3.13.so.1.0' };
    const ssl: Frame = { kind: 'native', function: 'SSL_connect', file: '/build/openssl-3.0/ssl/ssl_lib.c', line: 4, module: '/usr/lib/x86_64-linux-gnu/libssl.so.3' };
    assert.equal(isLibraryFrame(pyenv), true);
    assert.equal(isLibraryFrame(ssl), true);
    assert.deepEqual(sourceFrame([ssl, pyenv, app(12)]), { file: '/home/u/proj/src/main.c', line: 12, column: 9, function: 'load_config' });
  });

  it('prefers the workspace: its innermost frame there, not a dependency inside it, even under /usr', () => {
    const ws = '/usr/src/proj';
    const inWs: Frame = { kind: 'native', function: 'f', file: '/usr/src/proj/f.c', line: 5 };
    const dep: Frame = { kind: 'native', function: 'g', file: '/usr/src/proj/node_modules/x/src/g.cc', line: 9 };
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
