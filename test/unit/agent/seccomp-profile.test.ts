// OCI seccomp profiles: made from a session's syscalls, read back as lens-seccomp's arguments.
import assert from 'node:assert/strict';
import { launcherArgs } from '../../../remote-agent/src/seccomp/launcher-args';
import { seccompProfile, seccompProfileText } from '../../../remote-agent/src/seccomp/oci-profile';
import { usedSyscalls } from '../../../remote-agent/src/seccomp/used-syscalls';

describe('seccomp profiles', function () {
  it('a session\'s counts give its syscalls, with exit and exit_group (never counted, since they never return)', function () {
    const used = usedSyscalls([{ name: 'read' }, { name: 'openat' }, { name: 'read' }]);
    assert.deepEqual(used, { names: ['exit', 'exit_group', 'openat', 'read'], added: ['exit', 'exit_group'] });
    assert.deepEqual(usedSyscalls([]), { names: [], added: [] }, 'nothing counted: nothing to allow, nothing added');
  });

  it('allows exactly the used syscalls on the session\'s architecture; numbers without a name are reported, not written', function () {
    const { profile, unnamed } = seccompProfile(['write', 'read', 'syscall_999'], 'arm64');
    assert.deepEqual(profile, {
      defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_AARCH64'],
      syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }],
    });
    assert.deepEqual(unnamed, ['syscall_999']);
  });

  it('a profile becomes the launcher\'s arguments; what it cannot apply faithfully is refused with the field named', function () {
    const { profile } = seccompProfile(['read', 'write'], 'x86_64');
    assert.deepEqual(launcherArgs(seccompProfileText(profile), 'p.json'), ['--default', 'errno:1', '--arch', 'x86_64', '--rule', 'allow=read,write']);
    const docker = JSON.stringify({ defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }, { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [] }] });
    assert.deepEqual(launcherArgs(docker, 'd.json'), ['--default', 'kill-process', '--rule', 'errno:38=ptrace', '--rule', 'allow=read']);
    const bad: Array<[unknown, RegExp]> = [
      ['{', /x\.json is not JSON/],
      [{ defaultAction: 'ALLOW' }, /x\.json: defaultAction: action "ALLOW" is not one of SCMP_ACT_ALLOW/],
      [{ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] }, /architecture "SCMP_ARCH_Z80" is not one of/],
      [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] }] }, /syscalls\[0\] has args, which runtime-lens seccomp run does not apply/],
      [{ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: -1 }, /errnoRet -1 must be an errno number/],
      [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['rm -rf'], action: 'SCMP_ACT_ALLOW' }] }, /syscalls\[0\]: names must be a list of syscall names/],
    ];
    for (const [p, re] of bad) assert.throws(() => launcherArgs(typeof p === 'string' ? p : JSON.stringify(p), 'x.json'), re);
  });
});
