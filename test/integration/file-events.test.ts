// open-family and file-operation events: paths made absolute (cwd and dirfd
// resolved), flags, results and errno names, exactly as the fixture issued them.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import type { OpenEvent } from '../../remote-agent/src/protocol';
import { requireBpf } from '../helpers/bpf';
import { cFixture, PYTHON, scratchDir, scriptFixture } from '../helpers/fixtures';
import { assertExit, only, select, trace } from '../helpers/trace';

/** The O_* names of a flags string such as "O_WRONLY|O_CREAT", as a sorted list. */
function flagSet(flags: string): string[] {
  return flags.split('|').map((f) => f.trim()).filter(Boolean).sort();
}

function assertOpen(e: OpenEvent, flags: string[], ret: number, errno?: string): void {
  assert.deepEqual(flagSet(e.flags), [...flags].sort(), `flags of ${e.path}: ${e.flags}`);
  assert.equal(e.ret, ret, `ret of ${e.path}: ${JSON.stringify(e)}`);
  assert.equal(e.errno, errno, `errno of ${e.path}: ${JSON.stringify(e)}`);
}

describe('trace: file events', function () {
  before(function () {
    requireBpf(this);
  });

  it('reports absolute, cwd-relative, dirfd-relative and failing opens, and rename/unlink, of a C program', async function () {
    const dir = realpathSync(scratchDir('fileops'));
    const bin = cFixture('fileops');
    const run = await trace([bin, dir, '7'], [], { cwd: dir });
    assertExit(run, 7);
    const pid = only(run.events, 'exec', { filename: bin }).pid;
    const ev = run.events.filter((e) => e.pid === pid);

    assertOpen(only(ev, 'open', { path: `${dir}/abs.txt` }), ['O_WRONLY', 'O_CREAT', 'O_TRUNC'], 3);
    assertOpen(only(ev, 'open', { path: `${dir}/rel.txt` }), ['O_RDWR', 'O_CREAT'], 3);
    assert.equal(only(ev, 'mkdir', { path: `${dir}/sub` }).ret, 0);
    assertOpen(only(ev, 'open', { path: `${dir}/sub` }), ['O_RDONLY', 'O_DIRECTORY'], 3);
    const at = only(ev, 'open', { path: `${dir}/sub/at.txt` });
    assertOpen(at, ['O_WRONLY', 'O_CREAT', 'O_EXCL'], 4);
    assert.equal(at.syscall, 'openat');
    assertOpen(only(ev, 'open', { path: `${dir}/missing.txt` }), ['O_RDONLY'], -2, 'ENOENT');
    assertOpen(only(ev, 'open', { path: `${dir}/tmp.txt` }), ['O_WRONLY', 'O_CREAT', 'O_TRUNC'], 3);

    const rename = only(ev, 'rename', { path: `${dir}/tmp.txt` });
    assert.equal(rename.path2, `${dir}/renamed.txt`);
    assert.equal(rename.ret, 0);
    assert.equal(only(ev, 'unlink', { path: `${dir}/renamed.txt` }).ret, 0);

    // In the order the program made them.
    const order = ev.filter((e) => e.kind === 'open' && e.path.startsWith(dir + '/')).map((e) => (e as OpenEvent).path.slice(dir.length + 1));
    assert.deepEqual(order, ['abs.txt', 'rel.txt', 'sub', 'sub/at.txt', 'missing.txt', 'tmp.txt']);
    const ts = ev.map((e) => e.ts);
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b), 'events of one process are in time order');
    const now = Date.now();
    assert.ok(ts.every((t) => t > now - 120_000 && t <= now + 1000), 'ts is ms since the Unix epoch');
  });

  it('reports the opens of a Python program with the flags Python adds', async function () {
    const dir = realpathSync(scratchDir('python-files'));
    const run = await trace([PYTHON, scriptFixture('python/ops.py'), dir, '9', '0'], [], { cwd: dir });
    assertExit(run, 0);
    const pid = only(run.events, 'exec', { filename: PYTHON }).pid;
    const ev = run.events.filter((e) => e.pid === pid);
    const written = only(ev, 'open', { path: `${dir}/py.txt` });
    assertOpen(written, ['O_WRONLY', 'O_CREAT', 'O_TRUNC', 'O_CLOEXEC'], written.ret);
    assert.ok(written.ret >= 3);
    assertOpen(only(ev, 'open', { path: `${dir}/missing-py.txt` }), ['O_RDONLY', 'O_CLOEXEC'], -2, 'ENOENT');
    assert.ok(select(ev, 'open').some((e) => e.path.endsWith('/ops.py') && e.ret >= 0), 'the script itself is opened');
  });

  it('reports the file operations of mv and rm run by a shell', async function () {
    const dir = realpathSync(scratchDir('shell-files'));
    const run = await trace(['/bin/sh', scriptFixture('shell/ops.sh'), dir], [], { cwd: dir });
    assertExit(run, 143);
    const rename = only(run.events, 'rename', { path: `${dir}/sh.txt` });
    assert.equal(rename.path2, `${dir}/sh2.txt`);
    assert.equal(rename.comm, 'mv');
    assert.equal(rename.ret, 0);
    const unlink = only(run.events, 'unlink', { path: `${dir}/sh2.txt` });
    assert.equal(unlink.comm, 'rm');
    assert.equal(unlink.ret, 0);
    const created = only(run.events, 'open', { path: `${dir}/sh.txt` });
    assert.equal(created.comm, 'sh');
    assert.ok(flagSet(created.flags).includes('O_CREAT'));
  });
});
