// Syscall names (x86_64 and arm64) against this machine's kernel headers, argument decoding, errno and signal names.
import assert from 'node:assert/strict';
import { RecordDecoder, type ProbeRecord, type SyscallRecord } from '../../../remote-agent/src/decode/records';
import { syscallRecord } from '../../../remote-agent/src/bench/synthetic';
import { decodeSyscallArgs } from '../../../remote-agent/src/syscalls/args';
import { errnoName, errnoOfResult, signalName } from '../../../remote-agent/src/syscalls/errno';
import { fileMode, mmapFlags, openFlags, socketType } from '../../../remote-agent/src/syscalls/flags';
import { archFromMachine, syscallTable } from '../../../remote-agent/src/syscalls/names';
// @ts-expect-error plain .mjs script without type declarations
import { readHeaderTables } from '../../../scripts/gen-syscall-tables.mjs';

describe('syscall tables', function () {
  const headers = readHeaderTables() as { x86_64: Map<number, string> | null; arm64: Map<number, string> | null };

  for (const arch of ['x86_64', 'arm64'] as const) {
    it(`${arch}: every number the kernel headers define has the same name`, function () {
      const table = headers[arch];
      if (!table) this.skip(); // header absent on this machine: nothing to compare against
      const t = syscallTable(arch);
      const diffs = [...table].filter(([nr, name]) => t.name(nr) !== name).map(([nr, name]) => `${nr}: header ${name}, table ${t.name(nr)}`);
      assert.deepEqual(diffs, []);
    });
  }

  it('well-known numbers and the reverse lookup', function () {
    const x = syscallTable('x86_64');
    const a = syscallTable('arm64');
    assert.deepEqual([x.name(0), x.name(59), x.name(257), x.name(437), x.name(462)], ['read', 'execve', 'openat', 'openat2', 'mseal']);
    assert.deepEqual([a.name(63), a.name(221), a.name(56), a.name(462)], ['read', 'execve', 'openat', 'mseal']);
    assert.equal(x.name(9999), 'syscall_9999');
    assert.equal(x.number('openat'), 257);
    assert.equal(a.number('openat'), 56);
    assert.equal(x.number('syscall_12'), 12);
    assert.equal(x.number('nope'), undefined);
  });

  it('maps uname machines to tables and rejects others by name', function () {
    assert.equal(archFromMachine('aarch64'), 'arm64');
    assert.equal(archFromMachine('x86_64'), 'x86_64');
    assert.throws(() => archFromMachine('riscv64'), /unsupported machine 'riscv64'/);
  });
});

describe('flags, errno and signals', function () {
  it('open flags per arch', function () {
    assert.equal(openFlags(0, 'x86_64'), 'O_RDONLY');
    assert.equal(openFlags(0o1101, 'x86_64'), 'O_WRONLY|O_CREAT|O_TRUNC');
    assert.equal(openFlags(0o2200000, 'x86_64'), 'O_RDONLY|O_DIRECTORY|O_CLOEXEC');
    assert.equal(openFlags(0o2040000, 'arm64'), 'O_RDONLY|O_DIRECTORY|O_CLOEXEC');
    assert.equal(openFlags(0o4010002, 'x86_64'), 'O_RDWR|O_SYNC');
    assert.equal(openFlags(0o10002, 'x86_64'), 'O_RDWR|O_DSYNC');
    assert.equal(openFlags(0o20200000 | 2, 'x86_64'), 'O_RDWR|O_TMPFILE');
    assert.equal(openFlags(0x80000000, 'x86_64'), 'O_RDONLY|0x80000000');
  });
  it('modes, mmap flags, socket types', function () {
    assert.equal(fileMode(0o644), '0644');
    assert.equal(fileMode(0o100755), 'S_IFREG|0755');
    assert.equal(mmapFlags(0x22), 'MAP_PRIVATE|MAP_ANONYMOUS');
    assert.equal(socketType(0o2000001), 'SOCK_STREAM|SOCK_CLOEXEC');
  });
  it('errno and signal names', function () {
    assert.deepEqual([errnoName(2), errnoName(13), errnoName(111), errnoName(512), errnoName(4000)], ['ENOENT', 'EACCES', 'ECONNREFUSED', 'ERESTARTSYS', 'E4000']);
    assert.equal(errnoOfResult(-2), 'ENOENT');
    assert.equal(errnoOfResult(3), undefined);
    assert.equal(errnoOfResult(-5000), undefined); // a negative value outside the errno range (e.g. an lseek result) is not an error
    assert.deepEqual([signalName(9), signalName(15), signalName(34), signalName(99)], ['SIGKILL', 'SIGTERM', 'SIGRTMIN+2', 'SIG99']);
  });
});

describe('syscall argument decoding', function () {
  function rec(nr: number, args: bigint[], ret = 0n, pid = 7): SyscallRecord {
    const buf = syscallRecord(nr, args, ret, 0n, { pid });
    const out: ProbeRecord[] = [];
    new RecordDecoder().decode(buf, 0, buf.length, out);
    return out[0] as SyscallRecord;
  }
  const fds = new Map([[3, '/etc/passwd']]);
  const ctx = { arch: 'x86_64' as const, redact: true, fdPath: (pid: number, fd: number) => (pid === 7 ? fds.get(fd) : undefined) };

  it('openat: AT_FDCWD, flags, mode', function () {
    assert.deepEqual(decodeSyscallArgs('openat', rec(257, [BigInt.asUintN(64, -100n), 0x1000n, 0o101n, 0o644n]), ctx),
      { dirfd: 'AT_FDCWD', pathname: '0x1000', flags: 'O_WRONLY|O_CREAT', mode: '0644' });
  });
  it('read: fd shown with its path from the fd table', function () {
    assert.deepEqual(decodeSyscallArgs('read', rec(0, [3n, 0xabcn, 4096n]), ctx), { fd: 3, fd_path: '/etc/passwd', buf: '0xabc', count: 4096 });
  });
  it('mmap, socket, kill, clone', function () {
    assert.deepEqual(decodeSyscallArgs('mmap', rec(9, [0n, 8192n, 3n, 0x22n, BigInt.asUintN(64, -1n), 0n]), ctx),
      { addr: '0x0', length: 8192, prot: 'PROT_READ|PROT_WRITE', flags: 'MAP_PRIVATE|MAP_ANONYMOUS', fd: -1, offset: 0 });
    assert.deepEqual(decodeSyscallArgs('socket', rec(41, [2n, 0o2000001n, 6n]), ctx), { domain: 'AF_INET', type: 'SOCK_STREAM|SOCK_CLOEXEC', protocol: 'IPPROTO_TCP' });
    assert.deepEqual(decodeSyscallArgs('kill', rec(62, [123n, 15n]), ctx), { pid: 123, sig: 'SIGTERM' });
    assert.deepEqual(decodeSyscallArgs('clone', rec(56, [0x1200011n]), ctx), { flags: 'CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD' });
  });
  it('leaves syscalls without a decoder undecoded', function () {
    assert.equal(decodeSyscallArgs('getpid', rec(39, []), ctx), undefined);
  });
});

describe('open mode', function () {
  it('is shown only with O_CREAT', function () {
    const buf = syscallRecord(257, [BigInt.asUintN(64, -100n), 0x1000n, 0n, 0o644n], 3n, 0n);
    const out: ProbeRecord[] = [];
    new RecordDecoder().decode(buf, 0, buf.length, out);
    assert.deepEqual(decodeSyscallArgs('openat', out[0] as SyscallRecord, { arch: 'x86_64', redact: true, fdPath: () => undefined }),
      { dirfd: 'AT_FDCWD', pathname: '0x1000', flags: 'O_RDONLY' });
  });
});
