// The extension on a Windows host: a command typed as "curl" is found as
// curl.exe (PATHEXT), a backslash names a path, and a program's name is read
// from a Windows command line. Real files on disk; the platform is passed.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { executableNames, findExecutable, namesPath } from '../../../extension/src/commands/commandLine';

describe('extension: Windows command names and paths', function () {
  it('on win32 a name without extension is tried with each PATHEXT extension; elsewhere as it is', function () {
    assert.deepEqual(executableNames('curl', 'win32', '.COM;.EXE'), ['curl', 'curl.com', 'curl.exe']);
    assert.deepEqual(executableNames('curl.exe', 'win32', '.COM;.EXE'), ['curl.exe']);
    assert.deepEqual(executableNames('curl', 'linux'), ['curl']);
  });

  it('a backslash names a path on win32 only', function () {
    assert.equal(namesPath('bin\\tool.exe', 'win32'), true);
    assert.equal(namesPath('bin\\tool', 'linux'), false);
    assert.equal(namesPath('./tool', 'linux'), true);
  });

  it('findExecutable finds a command in PATH (on this Linux host: the name as given)', async function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'lens-exe-'));
    try {
      writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\n');
      chmodSync(path.join(dir, 'tool'), 0o755);
      assert.equal(await findExecutable('tool', dir, dir), path.join(dir, 'tool'));
      assert.equal(await findExecutable('missing', dir, dir), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
