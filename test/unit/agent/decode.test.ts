// Decoder: packets split at every possible byte boundary, every record kind, control packets, malformed input.
import assert from 'node:assert/strict';
import { decodeError, decodeHello, decodeStats, decodeSysAgg, decodeTarget } from '../../../remote-agent/src/decode/control';
import { PacketSplitter } from '../../../remote-agent/src/decode/packets';
import { ABI_VERSION, PacketType, Kind, LAYOUT } from '../../../remote-agent/src/decode/layout';
import {
  RecordDecoder, syscallArg, type DnsRecord, type ExecRecord, type ExitRecord, type ForkRecord, type OpenRecord, type ProbeRecord, type SockRecord, type SyscallRecord,
} from '../../../remote-agent/src/decode/records';
import {
  dnsRecord, errorPacket, execRecord, exitRecord, forkRecord, helloPacket, openRecord, record, recordsPacket, sockRecord, statsPacket, syscallRecord, targetPacket,
  withPyStack, withStack,
} from '../../../remote-agent/src/bench/synthetic';
import { nameText, unescapeName } from '../../../remote-agent/src/decode/strings';

function splitAll(stream: Buffer, cuts: number[]): Array<{ type: number; payload: Buffer }> {
  const packets: Array<{ type: number; payload: Buffer }> = [];
  const s = new PacketSplitter((type, buf, start, end) => packets.push({ type, payload: Buffer.from(buf.subarray(start, end)) }));
  let prev = 0;
  for (const c of [...cuts, stream.length]) { s.push(stream.subarray(prev, c)); prev = c; }
  assert.equal(s.pendingBytes, 0);
  return packets;
}

describe('packet splitter', function () {
  const stream = Buffer.concat([
    helloPacket(1000n), recordsPacket([syscallRecord(0, [1n], 5n, 10n)]), statsPacket({ 13: 1 }, {}), targetPacket(2, 42, 3),
  ]);

  it('yields the same packets for every split point, including inside packet headers', function () {
    const whole = splitAll(stream, []);
    assert.deepEqual(whole.map((f) => f.type), [PacketType.HELLO, PacketType.RECORDS, PacketType.STATS, PacketType.TARGET]);
    for (let cut = 1; cut < stream.length; cut++) assert.deepEqual(splitAll(stream, [cut]), whole, `cut at ${cut}`);
  });

  it('handles byte-by-byte input', function () {
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    assert.deepEqual(splitAll(stream, cuts).length, 4);
  });

  it('keeps an incomplete packet pending and rejects an absurd packet length', function () {
    const s = new PacketSplitter(() => assert.fail('no packet is complete'));
    s.push(stream.subarray(0, 20));
    assert.equal(s.pendingBytes, 20);
    const bad = Buffer.alloc(8);
    bad.writeUInt32LE(0xffffffff, 0);
    assert.throws(() => new PacketSplitter(() => {}).push(bad), /corrupt probe output: packet of 4294967295 bytes/);
  });
});

describe('record decoder', function () {
  function decode(...records: Buffer[]): { out: ProbeRecord[]; d: RecordDecoder } {
    const buf = Buffer.concat(records);
    const d = new RecordDecoder();
    const out: ProbeRecord[] = [];
    d.decode(buf, 0, buf.length, out);
    return { out, d };
  }

  it('decodes the header and a syscall record, with 64-bit args read on demand', function () {
    const { out } = decode(syscallRecord(257, [BigInt.asUintN(64, -100n), 0x7ffc12345678n, 0o2000000n, 0n, 0n, 0xffffffffffffffffn], -2n, 1234n,
      { tsNs: 123_456_789_012n, startNs: 5n, pid: 10, tid: 11, ppid: 1, uid: 1000, comm: 'cat' }));
    const r = out[0] as SyscallRecord;
    assert.equal(r.kind, Kind.SYSCALL);
    assert.deepEqual([r.tsNs, r.startNs, r.pid, r.tid, r.ppid, r.uid, r.comm], [123_456_789_012, 5, 10, 11, 1, 1000, 'cat']);
    assert.deepEqual([r.nr, r.ret, r.durNs], [257, -2, 1234]);
    assert.equal(syscallArg(r, 0), 0xffffffffffffff9cn);
    assert.equal(syscallArg(r, 1), 0x7ffc12345678n);
    assert.equal(syscallArg(r, 5), 0xffffffffffffffffn);
  });

  it('decodes exec argv, filename and cwd', function () {
    const { out } = decode(execRecord('/usr/bin/ls', ['ls', '-l', 'dir with space'], '/tmp'));
    const r = out[0] as ExecRecord;
    assert.deepEqual([r.filename, r.cwd, r.argv, r.argc, r.ret], ['/usr/bin/ls', '/tmp', ['ls', '-l', 'dir with space'], 3, 0]);
  });

  it('decodes names up to PATH_MAX whole, each record as long as its names', function () {
    const long = '/' + 'd'.repeat(200) + '/f'.repeat(1900);
    const argv = Array.from({ length: 128 }, (_, i) => `arg${i}-${'x'.repeat(56)}`);
    const exec = execRecord(long, argv, long);
    const small = openRecord('a', '', 0, 3);
    assert.equal(small.length, LAYOUT.lens_open_event.size + 2, 'a short path costs its bytes, not PATH_MAX');
    const { out } = decode(exec, small);
    const r = out[0] as ExecRecord;
    assert.deepEqual([r.filename, r.cwd, r.argv, r.argc], [long, long, argv, 128]);
    assert.equal((out[1] as OpenRecord).path, 'a');
  });

  it('escapes bytes that are not UTF-8 as \\xNN and a backslash as \\\\, and the escape gives back the bytes', function () {
    const raw = Buffer.from([0x66, 0xff, 0x5c, 0x78, 0x34, 0x31, 0xc3, 0xa9, 0xe2, 0x82]); // f, 0xff, \x41 literally, é, a cut sequence
    const { out } = decode(openRecord(raw, '', 0, 3), execRecord('/bin/x', [raw, 'ok'], '/', 0, { comm: 'c\xfe' }));
    const open = out[0] as OpenRecord;
    assert.equal(open.path, 'f\\xff\\\\x41é\\xe2\\x82');
    assert.deepEqual(unescapeName(open.path), raw);
    assert.deepEqual(unescapeName((out[1] as ExecRecord).argv[0]), raw);
    const bytes = Buffer.from([0x61, 0x80, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0x80]); // a, stray continuation, 😀, a UTF-16 surrogate
    assert.equal(nameText(bytes, 0, bytes.length), 'a\\x80😀\\xed\\xa0\\x80');
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(Array.from({ length: 1 + (i % 9) }, () => [0x5c, 0x78, 0xc3, 0xa9, 0xff, 0x41][Math.floor(Math.random() * 6)]));
      assert.deepEqual(unescapeName(nameText(b, 0, b.length)), b, `bytes ${b.toString('hex')}`);
    }
  });

  it('decodes the Python frames of a registered process after the names and before a stack snapshot', function () {
    const regs = Array.from({ length: 17 }, (_, i) => BigInt(i));
    const body = openRecord('/tmp/cut', '', 0, 3);
    const bad = withPyStack(body, 7, [[1, 2]]);
    bad.writeUInt8(2, body.length + 6); // nframes says 2: one frame's 16 bytes are missing
    const { out, d } = decode(
      withStack(withPyStack(openRecord('/tmp/py.txt', '', 0, 3), 7, [[0x7f0010, 0x7f0200], [0x7f0020, 0x7f0300]]), regs, 0, Buffer.from('stack')),
      withPyStack(sockRecord(Kind.CONNECT, 5, 0, { family: 2, port: 1, ip: [127, 0, 0, 1] }, { family: 2, port: 80, ip: [127, 0, 0, 1] }), 9, [], 1),
      bad,
    );
    assert.equal(out.length, 3);
    const open = out[0] as OpenRecord;
    assert.equal(open.path, '/tmp/py.txt');
    assert.deepEqual(open.pystack, { cookie: 7, error: 0, flags: 0, codes: [0x7f0010, 0x7f0020], instrs: [0x7f0200, 0x7f0300] });
    assert.equal(open.stack?.bytes.toString(), 'stack');
    assert.deepEqual((out[1] as SockRecord).pystack, { cookie: 9, error: 1, flags: 0, codes: [], instrs: [] });
    assert.equal((out[2] as OpenRecord).pystack, undefined, 'frames that do not fill their bytes are not read');
    assert.equal(d.problemCount, 1, 'and are reported');
  });

  it('decodes fork, exit, open, socket and dns records back to back', function () {
    const { out } = decode(
      forkRecord(77, 99n), exitRecord(0, 9), openRecord('x.txt', '/home/u', 0o1101, 3),
      sockRecord(Kind.CONNECT, 5, 0, { family: 2, port: 40000, ip: [127, 0, 0, 1] }, { family: 2, port: 8080, ip: [10, 1, 2, 3] }),
      dnsRecord('localhost', [{ family: 2, port: 0, ip: [127, 0, 0, 1] }, { family: 10, port: 0, ip: [...Array(15).fill(0), 1] }]),
    );
    assert.deepEqual(out.map((r) => r.kind), [Kind.FORK, Kind.EXIT, Kind.OPEN, Kind.CONNECT, Kind.DNS]);
    const [fork, exit, open, sock, dns] = out as [ForkRecord, ExitRecord, OpenRecord, SockRecord, DnsRecord];
    assert.deepEqual([fork.childPid, fork.childStartNs], [77, 99]);
    assert.deepEqual([exit.exitCode, exit.signal], [0, 9]);
    assert.deepEqual([open.path, open.dir, open.openFlags, open.ret, open.dirfd], ['x.txt', '/home/u', 0o1101, 3, -100]);
    assert.deepEqual([sock.fd, sock.remote.port, [...sock.remote.addr], sock.local.port], [5, 8080, [10, 1, 2, 3], 40000]);
    assert.deepEqual([dns.name, dns.answers.length, dns.answers[1].addr.length], ['localhost', 2, 16]);
  });

  it('reports unknown kinds and short records instead of dropping them silently, and keeps decoding', function () {
    const unknown = record(99, 64);
    const short = record(Kind.EXEC, 64);
    const overrun = openRecord('x.txt', '/home/u', 0, 3);
    overrun.writeUInt16LE(4000, LAYOUT.lens_open_event.fields.dir_len);
    const { out, d } = decode(unknown, short, overrun, exitRecord(1));
    assert.equal(out.length, 1);
    assert.equal(d.problemCount, 3);
    assert.match(d.problems[0].reason, /unknown record kind 99/);
    assert.match(d.problems[1].reason, /expected at least 72/);
    assert.match(d.problems[2].reason, /names of a record of kind 4 end at byte 4086, past its 94 bytes/);
    assert.equal(d.received, 4, 'every record received is counted, decodable or not');
  });

  it('reports a record whose size overruns the packet', function () {
    const r = exitRecord(0);
    const { out, d } = decode(r.subarray(0, 60));
    assert.equal(out.length, 0);
    assert.equal(d.problemCount, 1);
    assert.match(d.problems[0].reason, /record size 72 does not fit the 60 bytes left/);
  });

  it('reuses the comm string while a thread keeps its name and notices a change', function () {
    const { out } = decode(syscallRecord(0, [], 0n, 0n, { comm: 'a' }), syscallRecord(0, [], 0n, 0n, { comm: 'a' }), syscallRecord(0, [], 0n, 0n, { comm: 'b' }));
    assert.deepEqual(out.map((r) => r.comm), ['a', 'a', 'b']);
  });
});

describe('control packets', function () {
  const payload = (f: Buffer) => [f, 8, f.length] as const;
  it('HELLO, STATS, TARGET, ERROR', function () {
    const h = decodeHello(...payload(helloPacket(-5n, 'aarch64')));
    assert.deepEqual([h.abiVersion, h.realtimeOffsetNs, h.machine, h.ringbufBytes], [ABI_VERSION, -5, 'aarch64', 1 << 24]);
    const s = decodeStats(...payload(statsPacket({ [Kind.OPEN]: 7 }, { [Kind.SYSCALL]: 3 }, { [Kind.OPEN]: 9 }, true)));
    assert.deepEqual([s.events[Kind.OPEN], s.dropped[Kind.SYSCALL], s.dropped[Kind.OPEN], s.committed[Kind.OPEN], s.final], [7, 3, 0, 9, true]);
    assert.deepEqual(decodeTarget(...payload(targetPacket(2, 42, 0, 9))), { state: 2, pid: 42, exitCode: 0, signal: 9 });
    assert.deepEqual(decodeError(...payload(errorPacket(1, 1, 'need CAP_BPF'))), { code: 1, errno: 1, message: 'need CAP_BPF' });
  });
  it('rejects a truncated control packet', function () {
    assert.throws(() => decodeHello(Buffer.alloc(20), 0, 20), /HELLO packet is 20 bytes, expected 40/);
  });
  it('SYSAGG: each row names its process by pid and start time', function () {
    const K = LAYOUT.lens_sysagg_key;
    const V = LAYOUT.lens_sysagg_val;
    const b = Buffer.alloc(2 * (K.size + V.size));
    [[9, 1000n, 0, 5], [9, 2n ** 40n + 7n, 0, 2]].forEach(([pid, start, nr, count], i) => {
      const o = i * (K.size + V.size);
      b.writeBigUInt64LE(start as bigint, o + K.fields.start_ns);
      b.writeUInt32LE(pid as number, o + K.fields.pid);
      b.writeUInt32LE(nr as number, o + K.fields.nr);
      b.writeBigUInt64LE(BigInt(count), o + K.size + V.fields.count);
    });
    assert.deepEqual(decodeSysAgg(b, 0, b.length).map((r) => [r.pid, r.startNs, r.nr, r.count]), [[9, 1000, 0, 5], [9, 2 ** 40 + 7, 0, 2]]);
    assert.throws(() => decodeSysAgg(b, 0, b.length - 8), /SYSAGG packet of \d+ bytes is not a multiple of 304/);
  });
});
