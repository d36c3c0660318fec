// `--events` chooses the groups traced: only their kinds come out, all of them do.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { assertExit, only, runCli, select, trace } from '../helpers/trace';

const GROUP_KINDS: Record<string, string[]> = {
  exec: ['exec', 'fork', 'exit'],
  file: ['open', 'unlink', 'rmdir', 'rename', 'mkdir', 'chmod', 'chown', 'truncate', 'link', 'symlink', 'chdir'],
  net: ['connect', 'accept', 'bind', 'listen', 'tcp_close', 'udp_send'],
  dns: ['dns'],
  syscall: ['syscall'],
};

function kinds(events: Array<{ kind: string }>): string[] {
  return [...new Set(events.map((e) => e.kind))].sort();
}

describe('trace: --events selection', function () {
  before(function () {
    requireBpf(this);
  });

  it('--events exec: process events only', async function () {
    const dir = realpathSync(scratchDir('sel-exec'));
    const bin = cFixture('fileops');
    const run = await trace([bin, dir, '0'], ['--events', 'exec'], { cwd: dir });
    assertExit(run, 0);
    assert.deepEqual(kinds(run.events), ['exec', 'exit']);
    only(run.events, 'exec', { filename: bin });
  });

  it('--events file: file events only, with the dirfd-relative open resolved', async function () {
    const dir = realpathSync(scratchDir('sel-file'));
    const run = await trace([cFixture('fileops'), dir, '0'], ['--events', 'file'], { cwd: dir });
    assertExit(run, 0);
    assert.ok(kinds(run.events).every((k) => GROUP_KINDS.file.includes(k)), `kinds: ${kinds(run.events)}`);
    only(run.events, 'open', { path: `${dir}/sub/at.txt`, ret: 4 });
    only(run.events, 'unlink', { path: `${dir}/renamed.txt`, ret: 0 });
  });

  it('--events exec,file: the union of both groups and nothing else', async function () {
    const dir = realpathSync(scratchDir('sel-union'));
    const run = await trace([cFixture('spawn'), '0'], ['--events', 'exec,file'], { cwd: dir });
    assertExit(run, 0);
    const allowed = [...GROUP_KINDS.exec, ...GROUP_KINDS.file];
    assert.ok(kinds(run.events).every((k) => allowed.includes(k)), `kinds: ${kinds(run.events)}`);
    assert.equal(select(run.events, 'fork').length, 3);
    assert.ok(select(run.events, 'open').length > 0, 'the loader opens libc');
  });

  it('--events syscall: every syscall, paired, with errno names', async function () {
    const dir = realpathSync(scratchDir('sel-syscall'));
    const bin = cFixture('fileops');
    const run = await trace([bin, dir, '0'], ['--events', 'syscall'], { cwd: dir });
    assertExit(run, 0);
    assert.deepEqual(kinds(run.events), ['syscall']);
    const sys = select(run.events, 'syscall');
    // The fixture's only failing openat is missing.txt (relative, read-only).
    const missing = sys.filter((e) => e.name === 'openat' && e.errno === 'ENOENT');
    assert.equal(missing.length, 1, `one failed openat among ${sys.filter((e) => e.name === 'openat').length} openat`);
    assert.equal(missing[0].decoded?.dirfd, 'AT_FDCWD');
    assert.equal(missing[0].decoded?.flags, 'O_RDONLY');
    assert.equal(missing[0].nr, process.arch === 'x64' ? 257 : 56);
    assert.equal(missing[0].ret, -2);
    assert.ok(missing[0].dur_ns > 0);
    assert.equal(missing[0].args.length, 6);
    for (const name of ['mkdir', 'rename', 'unlink', 'close', 'write']) {
      assert.ok(sys.some((e) => e.name === name), `a ${name} syscall`);
    }
  });

  it('--events syscall,syscount: the launched command\'s syscalls begin at its exec, without the probe\'s start-up code', async function () {
    // Between fork and exec the child runs lens-probe's code: rt_sigaction, rt_sigprocmask, dup2 of its stdio, close, read.
    const run = await trace(['/bin/true'], ['--events', 'syscall,syscount']);
    assertExit(run, 0);
    const sys = select(run.events, 'syscall');
    assert.ok(sys.length > 5, `${sys.length} syscalls`);
    assert.equal(sys[0].name, 'execve', `first syscalls: ${sys.slice(0, 5).map((e) => `${e.comm}:${e.name}`).join(' ')}`);
    assert.deepEqual(sys.filter((e) => e.comm === 'lens-probe' || e.name === 'dup2' || e.name === 'rt_sigaction').map((e) => `${e.comm}:${e.name}`), []);
    // The syscount table on stderr ends each row with the syscall's name.
    const counted = run.stderr.split('\n').filter((l) => /^\s*[\d.]+\s+[\d.]+\s+\d+/.test(l)).map((l) => l.trim().split(/\s+/).pop());
    assert.ok(counted.includes('execve'), `syscount rows: ${counted.join(' ')}`);
    assert.ok(!counted.includes('dup2') && !counted.includes('rt_sigaction'), `syscount rows: ${counted.join(' ')}`);
  });

  it('rejects an unknown group, naming the valid ones', async function () {
    const run = await runCli(['trace', '--json', '--events', 'exec,bogus', '--', '/bin/true']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /bogus/);
    assert.match(run.stderr, /exec.*file.*net.*dns.*syscall/s);
    assert.equal(run.stdout, '');
  });
});
