// `runtime-lens seccomp record` writes the OCI profile of a real run (syscalls counted by the real probe);
// `seccomp run` applies it with libseccomp: the same workload passes, a syscall outside it is refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { runCli } from '../helpers/trace';

describe('seccomp profile of a session', function () {
  this.timeout(60_000);
  before(function () {
    requireBpf(this);
  });

  it('allows exactly what the workload used: the same run passes under it, uname (not used) fails with EPERM', async function () {
    const workload = cFixture('seccomp-workload');
    const dir = scratchDir('seccomp');
    const profileFile = path.join(dir, 'profile.json');
    const rec = await runCli(['seccomp', 'record', '-o', profileFile, '--', workload, '/etc/hostname'], { ndjson: false });
    assert.equal(rec.code, 0, rec.stderr);
    assert.match(rec.stderr, /seccomp profile allowing \d+ syscalls on x86_64 written to/);
    const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as { defaultAction: string; defaultErrnoRet: number; architectures: string[]; syscalls: { names: string[]; action: string }[] };
    assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(profile.defaultErrnoRet, 1);
    assert.deepEqual(profile.architectures, ['SCMP_ARCH_X86_64']);
    assert.equal(profile.syscalls.length, 1);
    assert.equal(profile.syscalls[0].action, 'SCMP_ACT_ALLOW');
    const names = profile.syscalls[0].names;
    for (const used of ['execve', 'openat', 'read', 'close', 'write', 'exit_group']) assert.ok(names.includes(used), `${used} in ${names.join(',')}`);
    assert.ok(!names.includes('uname'), 'the workload never called uname');

    const same = await runCli(['seccomp', 'run', profileFile, '--', workload, '/etc/hostname'], { ndjson: false });
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /^read \d+ bytes$/m);

    const other = await runCli(['seccomp', 'run', profileFile, '--', workload, '/etc/hostname', '--also-uname'], { ndjson: false });
    assert.equal(other.code, 3, other.stdout + other.stderr);
    assert.match(other.stdout, /uname refused: Operation not permitted/);
  });
});
