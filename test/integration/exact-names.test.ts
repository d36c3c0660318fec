// Names arrive byte-exact or flagged: paths up to PATH_MAX whole (absolute, relative to a long
// cwd, relative to a dirfd), a longer one flagged truncated, names that are not UTF-8 escaped
// losslessly (\xNN, \\), and argv whole up to 128 arguments / 8 KiB.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { unescapeName } from '../../remote-agent/src/decode/strings';
import { humanLine } from '../../remote-agent/src/output/human';
import type { OpenEvent } from '../../remote-agent/src/protocol';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { assertExit, only, select, trace } from '../helpers/trace';

describe('trace: names byte-exact or flagged', function () {
  before(function () {
    requireBpf(this);
  });

  it('gives 4000-byte paths whole (absolute, cwd- and dirfd-relative), flags a path beyond PATH_MAX, and escapes non-UTF-8 names losslessly', async function () {
    const dir = realpathSync(scratchDir('names'));
    const bin = cFixture('names');
    const run = await trace([bin, dir], ['--events', 'exec,file'], { cwd: dir });
    assertExit(run, 0);
    const pid = only(run.events, 'exec', { filename: bin }).pid;
    const opens = select(run.events, 'open').filter((e) => e.pid === pid);

    const created = opens.filter((e) => e.path.startsWith(dir + '/') && /\/(abs|rel|at)\.txt$/.test(e.path));
    assert.deepEqual(created.map((e) => e.path.slice(e.path.lastIndexOf('/') + 1)), ['abs.txt', 'rel.txt', 'at.txt'], JSON.stringify(created.map((e) => e.path.length)));
    const deep = created[0].path.slice(0, -'/abs.txt'.length);
    assert.equal(created[0].path.length, 4000);
    assert.match(deep.slice(dir.length), /^(\/d{200})+\/p+$/, 'the nested directories, every byte of them');
    for (const e of created) {
      assert.equal(e.path, `${deep}/${e.path.slice(deep.length + 1)}`);
      assert.equal(e.truncated, undefined, `${e.path.slice(-20)} is whole: not flagged`);
      assert.equal(e.ret >= 0, true);
    }
    assert.ok(opens.some((e) => e.path === deep && e.flags.includes('O_DIRECTORY')), 'the dirfd itself, opened by its 3992-byte path');
    assert.equal(only(run.events, 'mkdir', { path: deep }).ret, 0, 'file operations carry whole paths too');
    assert.deepEqual(select(run.events, 'chdir', { path: deep }).map((e) => e.ret), [0, 0], 'both chdirs into it');

    const tooLong = opens.find((e) => e.errno === 'ENAMETOOLONG');
    assert.ok(tooLong, 'the open of a path beyond PATH_MAX');
    assert.equal(tooLong.truncated, true, 'a path longer than PATH_MAX is flagged truncated');
    assert.equal(tooLong.path, '/' + 'x'.repeat(4094), 'what fits in PATH_MAX, then the flag');

    const bad = only(run.events, 'open', { path: `${dir}/bad\\xff\\xfe\\\\name` }) as OpenEvent;
    assert.deepEqual(unescapeName(bad.path), Buffer.concat([Buffer.from(`${dir}/bad`), Buffer.from([0xff, 0xfe]), Buffer.from('\\name')]));
    assert.equal(bad.comm, 'nm\\xff\\xfe');
    assert.deepEqual(unescapeName(bad.comm), Buffer.from([0x6e, 0x6d, 0xff, 0xfe]), 'comm is escaped the same way');
    const human = humanLine(bad);
    assert.ok(human.includes(`nm\\xff\\xfe[${bad.pid}] openat "${dir}/bad\\xff\\xfe\\\\name" `), human);

    const beyond = only(run.events, 'open', { path: 'beyond.txt' });
    assert.equal(beyond.truncated, true, 'from a cwd longer than PATH_MAX: the path as passed, flagged, never a wrong absolute path');
    assert.equal(beyond.ret >= 0, true);

    const exec = only(run.events, 'exec', { filename: '/bin/true' });
    assert.equal(exec.cwd, deep, 'the exec\'s 3992-byte cwd, whole');
    assert.deepEqual(exec.argv, ['true', 'arg\\xff\\\\x41']);
    assert.deepEqual(unescapeName(exec.argv[1]), Buffer.from([0x61, 0x72, 0x67, 0xff, 0x5c, 0x78, 0x34, 0x31]));
  });

  it('gives 128 arguments and 8 KiB of argv whole, and flags more as truncated', async function () {
    const args = Array.from({ length: 127 }, (_, i) => `${String(i).padStart(3, '0')}-${'a'.repeat(59)}`); // 127 x 64 bytes + "/bin/true": 8138 of 8192 bytes with the NULs
    const whole = await trace(['/bin/true', ...args], ['--events', 'exec']);
    assertExit(whole, 0);
    const e = only(whole.events, 'exec', { filename: '/bin/true' });
    assert.deepEqual(e.argv, ['/bin/true', ...args]);
    assert.equal(e.truncated, undefined);
    assert.ok(Buffer.byteLength(e.argv.join('\0') + '\0') > 8100);

    const more = await trace(['/bin/true', ...args, 'x'.repeat(200)], ['--events', 'exec']);
    assertExit(more, 0);
    const cut = only(more.events, 'exec', { filename: '/bin/true' });
    assert.equal(cut.truncated, true, 'beyond 8 KiB of argv the exec is flagged');
    assert.deepEqual(cut.argv.slice(0, 128), ['/bin/true', ...args], 'what fits is kept whole');
  });
});
