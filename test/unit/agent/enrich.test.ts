// Enrichment: process table from /proc and from exec/fork/exit, fd table, absolute paths, DNS names on connections, NDJSON and human lines.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { Kind } from '../../../remote-agent/src/decode/layout';
import { RecordDecoder, type ProbeRecord } from '../../../remote-agent/src/decode/records';
import { formatIp } from '../../../remote-agent/src/enrich/addr';
import { Enricher } from '../../../remote-agent/src/enrich/enricher';
import { FdTable } from '../../../remote-agent/src/enrich/fd-table';
import { absolutePath } from '../../../remote-agent/src/enrich/paths';
import { ProcessTable } from '../../../remote-agent/src/enrich/process-table';
import { linuxHostFacts } from '../../../remote-agent/src/backend/linux/host-facts';
import { syscallSummaryRows } from '../../../remote-agent/src/output/syscall-summary';
import { humanLine } from '../../../remote-agent/src/output/human';
import { unescapeName } from '../../../remote-agent/src/decode/strings';
import { ndjsonLine } from '../../../remote-agent/src/output/ndjson';
import type { DnsEvent, ExecEvent, ExitEvent, ForkEvent, OpenEvent, SockEvent, SyscallEvent } from '../../../remote-agent/src/protocol';
import { readFds } from '../../../remote-agent/src/backend/linux/procfs';
import {
  dnsRecord, execRecord, exitRecord, forkRecord, openRecord, sockRecord, syscallRecord,
} from '../../../remote-agent/src/bench/synthetic';

function records(...bufs: Buffer[]): ProbeRecord[] {
  const buf = Buffer.concat(bufs);
  const out: ProbeRecord[] = [];
  new RecordDecoder().decode(buf, 0, buf.length, out);
  return out;
}

describe('process table', function () {
  it('seeds a real running process and its child from the host (/proc)', async function () {
    const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    try {
      const t = new ProcessTable();
      // wait until the shell has forked its sleep (a condition, polled on /proc)
      for (let i = 0; i < 500 && t.children(child.pid!).length === 0; i++) {
        t.seedFromHost(child.pid!, linuxHostFacts());
        if (t.children(child.pid!).length === 0) await new Promise((r) => setImmediate(r));
      }
      const sh = t.get(child.pid!)!;
      assert.equal(sh.comm, 'sh');
      assert.deepEqual(sh.argv, ['sh', '-c', 'sleep 30 & wait']);
      assert.equal(sh.cwd, process.cwd());
      const [sleep] = t.children(child.pid!);
      assert.equal(sleep.comm, 'sleep');
      assert.deepEqual(t.ancestry(sleep.pid).map((e) => e.pid).slice(0, 2), [sleep.pid, child.pid]);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  it('a reused pid with a new start time is a new process', function () {
    const t = new ProcessTable();
    const a = t.touch(50, 1000, 1, 0, 'old');
    t.onExec(a, '/bin/old', ['old'], '/', 'old');
    const b = t.touch(50, 9e12, 1, 0, 'new');
    assert.notEqual(a, b);
    assert.equal(b.argv, undefined);
    assert.equal(a.exited, true);
  });

  it('fork copies the parent, exit keeps the entry for ancestry', function () {
    const t = new ProcessTable();
    const p = t.touch(10, 1, 1, 0, 'bash');
    t.onExec(p, '/bin/bash', ['bash'], '/home', 'bash');
    const c = t.onFork(10, 11, 2, 'bash', 0);
    assert.equal(c.cwd, '/home');
    t.onExit(c, 0, 0);
    assert.equal(t.get(11), undefined);
    assert.deepEqual(t.ancestry(11).map((e) => e.pid), [11, 10]);
  });

  it('names each summary row by its own process, a reused pid included', function () {
    const t = new ProcessTable();
    t.touch(10, 1, 1, 0, 'sh');
    const c = t.onFork(10, 11, 2, 'sh', 0);
    t.onExec(c, '/usr/bin/ls', ['ls'], '/', 'ls');
    t.onExit(c, 0, 0);
    const again = t.onFork(10, 11, 3, 'sh', 0); // pid 11 reused
    t.onExec(again, '/usr/bin/cat', ['cat'], '/', 'cat');
    assert.equal(t.commOf(11, 2), 'ls');
    assert.equal(t.commOf(11, 3), 'cat');
    assert.equal(t.commOf(11, 4), undefined);
    assert.equal(t.commOf(12, 2), undefined);
    const hist = new Array<number>(32).fill(0);
    hist[10] = 3;
    const rows = syscallSummaryRows(
      [{ pid: 10, startNs: 1, nr: 0, count: 3, errors: 0, totalNs: 3000, maxNs: 1500, hist },
        { pid: 11, startNs: 2, nr: 1, count: 3, errors: 1, totalNs: 3000, maxNs: 1500, hist },
        { pid: 11, startNs: 3, nr: 1, count: 1, errors: 0, totalNs: 1000, maxNs: 1000, hist }],
      (nr) => ['read', 'write'][nr], (pid, startNs) => t.commOf(pid, startNs) ?? '',
    );
    assert.deepEqual(rows.map((r) => [r.pid, r.key, r.comm, r.name, r.count]),
      [[10, '10:1', 'sh', 'read', 3], [11, '11:2', 'ls', 'write', 3], [11, '11:3', 'cat', 'write', 1]]);
  });
});

describe('fd table and paths', function () {
  it('reads real fds from /proc/self/fd', function () {
    const fd = openSync('/etc/hostname', 'r');
    try {
      assert.equal(readFds(process.pid).get(fd), '/etc/hostname');
    } finally {
      closeSync(fd);
    }
  });
  it('dup, close, fork', function () {
    const t = new FdTable();
    t.set(1, 3, '/a');
    t.dup(1, 3, 7);
    t.fork(1, 2);
    t.close(1, 3);
    assert.deepEqual([t.get(1, 3), t.get(1, 7), t.get(2, 3)], [undefined, '/a', '/a']);
  });
  it('absolute paths', function () {
    assert.equal(absolutePath('/etc/../etc//hosts', undefined), '/etc/hosts');
    assert.equal(absolutePath('../x/./y', '/home/u/src'), '/home/u/x/y');
    assert.equal(absolutePath('rel', ''), 'rel');
    assert.equal(absolutePath('', '/home'), '');
  });
  it('IP address text', function () {
    assert.equal(formatIp({ family: 2, port: 0, addr: new Uint8Array([127, 0, 0, 1]) }), '127.0.0.1');
    assert.equal(formatIp({ family: 10, port: 0, addr: new Uint8Array([...Array(15).fill(0), 1]) }), '::1');
    assert.equal(formatIp({ family: 10, port: 0, addr: new Uint8Array([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) }), '2001:db8::1');
    assert.equal(formatIp({ family: 10, port: 0, addr: new Uint8Array([...Array(10).fill(0), 255, 255, 10, 0, 0, 1]) }), '::ffff:10.0.0.1');
  });
});

describe('enricher', function () {
  const offsetNs = 1_700_000_000_000_000_000;
  const h = { pid: 100, tid: 100, ppid: 1, uid: 1000, comm: 'app', startNs: 77n };
  function run(e: Enricher, ...bufs: Buffer[]) { return records(...bufs).map((r) => e.enrich(r)); }

  it('produces contract events: epoch ms, absolute paths, errno names, redacted argv, exit codes', function () {
    const e = new Enricher({ arch: 'x86_64', realtimeOffsetNs: offsetNs, redact: true });
    const [exec, open, openFail, exit] = run(e,
      execRecord('/usr/bin/app', ['app', '--password=pw'], '/work', 0, { ...h, tsNs: 2_000_000_500n }),
      openRecord('data/in.txt', '', 0, 3, h),
      openRecord('/nope', '', 0o101, -2, h),
      exitRecord(0, 9, h),
    ) as [ExecEvent, OpenEvent, OpenEvent, ExitEvent];
    assert.equal(exec.ts, offsetNs / 1e6 + 2000.0005);
    assert.deepEqual(exec.argv, ['app', '--password=***']);
    assert.equal(exec.cwd, '/work');
    assert.deepEqual([open.path, open.flags, open.ret, open.errno, open.syscall], ['/work/data/in.txt', 'O_RDONLY', 3, undefined, 'openat']);
    assert.deepEqual([openFail.ret, openFail.errno, openFail.flags, openFail.mode], [-2, 'ENOENT', 'O_WRONLY|O_CREAT', '0000']);
    assert.deepEqual([exit.exit_code, exit.signal], [137, 'SIGKILL']);
    assert.equal(new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: false }).enrich(records(execRecord('/a', ['a', '--token=t'], '/'))[0]).kind, 'exec');
  });

  it('names the file behind an fd in later syscalls and follows close', function () {
    const e = new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: true });
    const [, read, , read2] = run(e,
      openRecord('/etc/passwd', '', 0, 3, h),
      syscallRecord(0, [3n, 0x10n, 64n], 64n, 900n, h),
      syscallRecord(3, [3n], 0n, 100n, h),
      syscallRecord(0, [3n, 0x10n, 64n], -9n, 900n, h),
    ) as SyscallEvent[];
    assert.deepEqual(read.decoded, { fd: 3, fd_path: '/etc/passwd', buf: '0x10', count: 64 });
    assert.deepEqual([read.name, read.ret, read.dur_ns, read.args[0]], ['read', 64, 900, '0x3']);
    assert.deepEqual([read2.decoded?.fd_path, read2.errno], [undefined, 'EBADF']);
  });

  it('gives connections the DNS name their address came from', function () {
    const e = new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: true });
    const [dns, conn] = run(e,
      dnsRecord('localhost', [{ family: 2, port: 0, ip: [127, 0, 0, 1] }], 0, h),
      sockRecord(Kind.CONNECT, 5, -111, { family: 2, port: 0, ip: [0, 0, 0, 0] }, { family: 2, port: 8080, ip: [127, 0, 0, 1] }, h),
    ) as [DnsEvent, SockEvent];
    assert.deepEqual(dns.answers, ['127.0.0.1']);
    assert.deepEqual([conn.family, conn.daddr, conn.dport, conn.dns, conn.errno, conn.proto], ['AF_INET', '127.0.0.1', 8080, 'localhost', 'ECONNREFUSED', 'tcp']);
  });

  it('keys every event by pid and kernel start time: a reused pid is another process, children name their parent', function () {
    const e = new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: true });
    const child = { pid: 101, tid: 101, ppid: 100, startNs: 88n };
    const reused = { ...child, startNs: 99n };
    const events = run(e,
      execRecord('/bin/sh', ['sh'], '/srv', 0, h), forkRecord(101, 88n, h), openRecord('/etc/hosts', '', 0, 3, child), exitRecord(0, 0, child),
      forkRecord(101, 99n, h), openRecord('/etc/hosts', '', 0, 3, reused),
    );
    assert.deepEqual(events.map((ev) => [ev.kind, ev.key, ev.pkey, ev.kind === 'fork' ? ev.child_key : undefined]), [
      ['exec', '100:77', undefined, undefined],
      ['fork', '100:77', undefined, '101:88'],
      ['open', '101:88', '100:77', undefined],
      ['exit', '101:88', '100:77', undefined],
      ['fork', '100:77', undefined, '101:99'],
      ['open', '101:99', '100:77', undefined],
    ]);
    const [thread] = run(e, forkRecord(102, 77n, { ...h, flags: 0x2 }));
    assert.equal((thread as ForkEvent).child_key, undefined, 'a thread is not a process: no key of its own');
  });

  it('fork and exec update the process table', function () {
    const e = new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: true });
    run(e, execRecord('/bin/sh', ['sh'], '/srv', 0, h), forkRecord(101, 88n, h), execRecord('/bin/ls', ['ls'], '/srv', 0, { ...h, pid: 101, tid: 101, ppid: 100, startNs: 88n }));
    assert.deepEqual(e.processes.ancestry(101).map((p) => p.argv?.[0]), ['ls', 'sh']);
  });
});

describe('output lines', function () {
  const base = { ts: 1_700_000_000_123.456, pid: 5, tid: 5, ppid: 1, uid: 0, comm: 'cat', key: '5:1000' };
  it('NDJSON is one JSON object per line with the contract fields', function () {
    const ev: OpenEvent = { ...base, kind: 'open', syscall: 'openat', path: '/etc/hosts', flags: 'O_RDONLY', ret: 3 };
    const line = ndjsonLine(ev);
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    assert.deepEqual(JSON.parse(line), ev);
  });
  it('human lines are compact and strace-like', function () {
    assert.match(humanLine({ ...base, kind: 'open', syscall: 'openat', path: '/etc/hosts', flags: 'O_RDONLY', ret: -2, errno: 'ENOENT' }),
      /^\d\d:\d\d:\d\d\.\d{6} cat\[5\] openat \/etc\/hosts O_RDONLY = -2 ENOENT$/);
    assert.match(humanLine({ ...base, kind: 'syscall', name: 'read', nr: 0, args: [], decoded: { fd: 3, fd_path: '/x', count: 1 }, ret: 1, dur_ns: 1500 }),
      / cat\[5\] read\(3<\/x>, 1\) = 1 <0\.000002>$/);
    assert.match(humanLine({ ...base, kind: 'connect', family: 'AF_INET6', saddr: '::1', sport: 1, daddr: '::1', dport: 80, fd: 4, ret: 0, dns: 'localhost' }),
      / connect fd=4 AF_INET6 \[::1\]:1 -> \[::1\]:80 \(localhost\) = 0$/);
  });
  it('human lines quote names so that the text between the quotes unescapes to the exact bytes', function () {
    const path = '/t/a "b"\n\\xff\\\\c'; // as the decoder writes it: a quote, a newline, byte 0xff (escaped), a backslash (escaped)
    const line = humanLine({ ...base, kind: 'open', syscall: 'openat', path, flags: 'O_RDONLY', ret: 3 });
    const quoted = /openat "(.*)" O_RDONLY/.exec(line)![1];
    assert.equal(quoted, '/t/a \\x22b\\x22\\x0a\\xff\\\\c');
    assert.deepEqual(unescapeName(quoted), Buffer.concat([Buffer.from('/t/a "b"\n'), Buffer.from([0xff]), Buffer.from('\\c')]));
  });
});

describe('NDJSON of syscall events', function () {
  it('the hand-written form parses to exactly the event, including strings that need escaping', function () {
    const ev: SyscallEvent = {
      ts: 1_700_000_000_123.5, kind: 'syscall', pid: 1, tid: 2, ppid: 0, uid: 1000, comm: 'we"ird\\\n', key: '1:1000', pkey: '0:7', name: 'openat', nr: 257,
      args: ['0xffffff9c', '0x7ffd0000', '0x0', '0x0', '0x0', '0x0'], decoded: { dirfd: 'AT_FDCWD', flags: 'O_RDONLY', fd_path: 'a"b' },
      ret: -2, errno: 'ENOENT', dur_ns: 1234, truncated: true,
    };
    assert.deepEqual(JSON.parse(ndjsonLine(ev)), ev);
    const plain: SyscallEvent = { ...ev, comm: 'dd', decoded: undefined, errno: undefined, truncated: undefined };
    delete plain.decoded; delete plain.errno; delete plain.truncated;
    assert.deepEqual(JSON.parse(ndjsonLine(plain)), plain);
  });
});
