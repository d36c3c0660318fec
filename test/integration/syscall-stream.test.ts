// The full syscall stream (--events syscall) shows what strace shows for the same calls of a C
// fixture: the paths, argv and sockaddrs read in the kernel byte for byte (non-UTF-8 included),
// 64-bit values exact, an address result in hex, exit_group recorded though it never returns.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { unescapeName } from '../../remote-agent/src/decode/strings';
import type { SyscallEvent } from '../../remote-agent/src/protocol';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { cStringBytes, parseStraceLines, splitArgs, type StraceLine } from '../helpers/strace';
import { assertExit, select, trace } from '../helpers/trace';

type Check = [argIndex: number, key: string, how: 'string' | 'argv' | 'text'];

/* What is compared per syscall: strace's argument i against our decoded key. */
const CHECKS: Record<string, Check[]> = {
  openat: [[1, 'pathname', 'string']], newfstatat: [[1, 'pathname', 'string']], statx: [[1, 'pathname', 'string']],
  access: [[0, 'pathname', 'string']], mkdir: [[0, 'pathname', 'string']], chdir: [[0, 'path', 'string']],
  rename: [[0, 'oldpath', 'string'], [1, 'newpath', 'string']], symlink: [[0, 'target', 'string'], [1, 'linkpath', 'string']],
  link: [[0, 'oldpath', 'string'], [1, 'newpath', 'string']], readlink: [[0, 'pathname', 'string']],
  unlink: [[0, 'pathname', 'string']], unlinkat: [[1, 'pathname', 'string']],
  execve: [[0, 'filename', 'string'], [1, 'argv', 'argv']],
  connect: [[1, 'addr', 'text']], bind: [[1, 'addr', 'text']],
  lseek: [[1, 'offset', 'text']], mmap: [[1, 'length', 'text']], exit_group: [[0, 'status', 'text']],
};

function bytesOf(value: unknown, what: string): Buffer {
  assert.equal(typeof value, 'string', `${what}: ${JSON.stringify(value)} is not a string`);
  return unescapeName(value as string);
}

function compare(call: StraceLine, ev: SyscallEvent): void {
  const what = `${call.name} #${call.tid}: strace '${call.name}(${call.args.join(', ')}) = ${call.result}', ours ${JSON.stringify(ev.decoded)} = ${ev.ret}`;
  for (const [i, key, how] of CHECKS[call.name]) {
    const theirs = call.args[i];
    const ours = ev.decoded?.[key];
    if (how === 'string') assert.deepEqual(bytesOf(ours, what), cStringBytes(theirs), what);
    else if (how === 'argv') {
      assert.ok(Array.isArray(ours), what);
      assert.deepEqual(ours.map((a) => unescapeName(a)), splitArgs(theirs.slice(1, -1)).map(cStringBytes), what);
    } else assert.equal(String(ours), theirs, what);
  }
  if (call.result === '?') {
    assert.equal(ev.noreturn, true, what);
    return;
  }
  const m = /^(-?\w+)(?: (E[A-Z0-9]+))?/.exec(call.result)!;
  if (m[2]) assert.equal(ev.errno, m[2], what);
  else if (m[1].startsWith('0x')) {
    assert.match(ev.ret_hex ?? '', /^0x[0-9a-f]+$/, what);
    if (call.args[0] === '0x7e0000000000') assert.equal(ev.ret_hex, m[1], what); // the fixture's fixed address
  } else assert.equal(ev.ret, Number(m[1]), what);
}

describe('trace --events syscall: a stream people can read', function () {
  before(function () {
    requireBpf(this);
  });

  it('shows the strings, sockaddrs and 64-bit values strace shows for the same calls, and exit_group', async function () {
    this.timeout(60_000);
    const bin = cFixture('syscalls');
    const dir = realpathSync(scratchDir('syscall-stream'));
    const log = path.join(dir, '..', `${path.basename(dir)}.strace`);
    execFileSync('strace', ['-f', '-qq', '-s', '65535', '-o', log, bin], { cwd: dir, stdio: 'ignore' });
    const theirs = parseStraceLines(readFileSync(log, 'utf8')).filter((c) => CHECKS[c.name]);

    const run = await trace([bin], ['--events', 'syscall'], { cwd: dir });
    assertExit(run, 0);
    assert.equal(run.summary?.lost, 0);
    const ours = select(run.events, 'syscall').filter((e) => CHECKS[e.name]);

    const names = (list: Array<{ name: string }>) => list.map((c) => c.name).join(' ');
    assert.equal(names(ours), names(theirs), 'the same calls in the same order');
    theirs.forEach((call, i) => compare(call, ours[i]));
    // what the fixture does, seen in both (not only the loader's calls)
    for (const name of ['rename', 'connect', 'bind', 'lseek', 'execve', 'exit_group']) assert.ok(theirs.some((c) => c.name === name), name);
    const argv = ours.filter((e) => e.name === 'execve').at(-1)!.decoded!.argv;
    assert.deepEqual(argv, ['true', 'two words', 'café', '\\xff']);
  });
});
