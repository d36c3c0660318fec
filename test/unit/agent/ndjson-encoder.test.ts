// `trace --json` writes syscall records straight from their bytes (the NDJSON sink): the lines must be
// byte for byte those of the event model path (decode -> enrich -> ndjson.ts), kinds mixed in order,
// and both come out of the same pipeline of stages.
import assert from 'node:assert/strict';
import { execRecord, exitRecord, forkRecord, openRecord, syscallRecord } from '../../../remote-agent/src/bench/synthetic';
import { linuxHostFacts } from '../../../remote-agent/src/backend/linux/host-facts';
import { Flag, SysData } from '../../../remote-agent/src/decode/layout';
import { RecordDecoder, type ProbeRecord } from '../../../remote-agent/src/decode/records';
import { Enricher, type EnricherOptions } from '../../../remote-agent/src/enrich/enricher';
import { ndjsonLines } from '../../../remote-agent/src/output/ndjson';
import type { NdjsonBatch } from '../../../remote-agent/src/output/ndjson-encoder';
import { ndjsonSink } from '../../../remote-agent/src/output/ndjson-sink';
import { eventSink } from '../../../remote-agent/src/pipeline/event-sink';
import { Pipeline } from '../../../remote-agent/src/pipeline/pipeline';
import type { SinkFactory, StageFactory } from '../../../remote-agent/src/pipeline/stage';
import { STAGES } from '../../../remote-agent/src/pipeline/stages';
import type { LensEvent } from '../../../remote-agent/src/protocol';

const NEG = (n: bigint) => BigInt.asUintN(64, n);

/** Runs `payload` through a fresh session pipeline (STAGES unless `stages`) into `sink`. */
function through(payload: Buffer, opts: EnricherOptions, sink: SinkFactory, stages: readonly StageFactory[] = STAGES): void {
  const decoder = new RecordDecoder();
  const pipeline = new Pipeline({ enricher: new Enricher(opts), host: linuxHostFacts() }, decoder, [sink], stages);
  decoder.visit(payload, 0, payload.length, pipeline);
  pipeline.flush();
}

function both(records: Buffer[], offsetNs = 1_795_265_763_385_096_400 + 29) {
  const payload = Buffer.concat(records);
  const opts = { arch: 'x86_64' as const, realtimeOffsetNs: offsetNs, redact: true };
  const decoded: ProbeRecord[] = [];
  new RecordDecoder().decode(payload, 0, payload.length, decoded);
  const objects = new Enricher(opts);
  const expected = ndjsonLines(decoded.map((r) => objects.enrich(r)));
  const staged: LensEvent[] = [];
  through(payload, opts, eventSink((events) => staged.push(...events)));
  assert.equal(ndjsonLines(staged), expected, 'the event sink gets the events enrich() makes');
  const batches: NdjsonBatch[] = [];
  through(payload, opts, ndjsonSink((b) => batches.push({ ...b, bytes: Buffer.from(b.bytes) })));
  assert.equal(batches.length, 1);
  return { expected, batch: batches[0] };
}

describe('NDJSON encoder (trace --json)', function () {
  it('writes the same bytes as the event model for every kind of syscall line', function () {
    const h = { pid: 4242, tid: 4243, ppid: 1, uid: 1000, comm: 'dd' };
    const { expected, batch } = both([
      execRecord('/usr/bin/dd', ['dd', 'if=/dev/zero'], '/work', 0, { ...h, tid: 4242 }),
      openRecord('/dev/zero', '', 0, 3, h),
      syscallRecord(0, [3n, 0x7ffd12345678n, 1n], 1n, 850n, { ...h, tsNs: 123_456_789_012n }),
      syscallRecord(1, [1n, 0xffffffffffffffffn, 4096n, 0x100000000n, 0xabcdefn, 0n], 4096n, 1_000_000_123n, h),
      syscallRecord(257, [NEG(-100n), 0x1000n, 0o1101n, 0o644n], 4n, 3000n, h), // openat(AT_FDCWD, O_CREAT|O_TRUNC|O_WRONLY)
      syscallRecord(33, [3n, 9n], 9n, 10n, h), // dup2: fd 9 now names /dev/zero too
      syscallRecord(0, [9n, 0n, 1n], 0n, 10n, h),
      syscallRecord(3, [3n], 0n, 100n, h), // close forgets fd 3 ...
      syscallRecord(0, [3n, 0x10n, 64n], -9n, 900n, h), // ... so this read has no fd_path, and fails
      syscallRecord(62, [123n, 15n], 0n, 5n, h), // kill: a signal name
      syscallRecord(39, [], 4242n, 1n, h), // getpid: no decoder
      syscallRecord(999, [1n], -38n, 1n, h), // unknown number
      syscallRecord(0, [0n, 0n, 0n], -5000n, 1n, { ...h, comm: 'we"ird\\\n' }), // not an errno; comm escaped
      syscallRecord(0, [0n, 0n, 0n], 0n, 1n, { ...h, tid: 77, comm: 'ñame' }),
      forkRecord(4300, 0x1_0000_0005n, { ...h, tid: 4242 }),
      syscallRecord(39, [], 4300n, 1n, { ...h, pid: 4300, tid: 4300, ppid: 4242, startNs: 0x1_0000_0005n }), // the child: its key and its parent's
      exitRecord(0, 0, h),
    ]);
    assert.equal(batch.bytes.toString('utf8'), expected);
    assert.equal(batch.events, 17);
    assert.deepEqual(batch.counts, { exec: 1, open: 1, syscall: 13, fork: 1, exit: 1 });
    const child = JSON.parse(expected.split('\n')[15]) as { key: string; pkey: string };
    assert.deepEqual([child.key, child.pkey], ['4300:4294967301', '4242:500000000']);
  });

  it('writes paths, argv and sockaddrs read in the kernel, exact 64-bit values, address results and calls that do not return', function () {
    const h = { pid: 4242, tid: 4242, ppid: 1, uid: 0, comm: 'fx' };
    const str = (s: string | Buffer) => Buffer.concat([Buffer.from(s as string), Buffer.alloc(1)]);
    const sin = Buffer.from([2, 0, 0, 80, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const { expected, batch } = both([
      syscallRecord(257, [NEG(-100n), 0x7f02430a90b1n, 0n], 3n, 10n, h, [{ arg: 1, type: SysData.STR, bytes: str(Buffer.from('bad\xff\\n', 'latin1')) }]),
      syscallRecord(82, [0x1000n, 0x2000n], 0n, 10n, h, [{ arg: 0, type: SysData.STR, bytes: str('old') }, { arg: 1, type: SysData.STR, bytes: str('new "q"') }]),
      syscallRecord(59, [0x1000n, 0x2000n, 0x3000n], 0n, 10n, h,
        [{ arg: 0, type: SysData.STR, bytes: str('/bin/true') }, { arg: 1, type: SysData.ARGV, bytes: Buffer.from('true\0two words\0\xff\0', 'latin1') }]),
      syscallRecord(42, [3n, 0x1000n, 16n], 0n, 10n, h, [{ arg: 1, type: SysData.SOCKADDR, bytes: sin }]),
      syscallRecord(257, [NEG(-100n), 0xdeadn, 0n], -14n, 10n, h, [{ arg: 1, type: SysData.STR, bytes: Buffer.alloc(0) }]), // unreadable: the pointer
      syscallRecord(8, [3n, 0x7fffffffffffffffn, 0n], 0n, 10n, h), // lseek(3, INT64_MAX)
      syscallRecord(8, [3n, NEG(-0x7fffffffffffffffn), 1n], 0n, 10n, h),
      syscallRecord(9, [0n, 0x7ffffffffffff000n, 0n, 0x22n, NEG(-1n), 0n], -12n, 10n, h),
      syscallRecord(9, [0n, 4096n, 1n, 0x22n, NEG(-1n), 0n], 0x7e0000000000n, 10n, h),
      syscallRecord(231, [0n], 0n, 0n, { ...h, flags: Flag.NO_RETURN }),
    ]);
    assert.equal(batch.bytes.toString('utf8'), expected);
    const ev = expected.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(ev[0].decoded, { dirfd: 'AT_FDCWD', pathname: 'bad\\xff\\\\n', flags: 'O_RDONLY' });
    assert.deepEqual(ev[1].decoded, { oldpath: 'old', newpath: 'new "q"' });
    assert.deepEqual(ev[2].decoded, { filename: '/bin/true', argv: ['true', 'two words', '\\xff'], envp: '0x3000' });
    assert.equal(ev[3].decoded.addr, '{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}');
    assert.equal(ev[4].decoded.pathname, '0xdead');
    assert.equal(ev[5].decoded.offset, '9223372036854775807');
    assert.equal(ev[6].decoded.offset, '-9223372036854775807');
    assert.equal(ev[7].decoded.length, '9223372036854771712');
    assert.equal(ev[7].ret_hex, undefined);
    assert.equal(ev[8].ret_hex, '0x7e0000000000');
    assert.equal(ev[9].noreturn, true);
    assert.equal(ev[9].name, 'exit_group');
  });

  it('writes timestamps as JavaScript prints them, for any clock offset', function () {
    for (const offset of [0, 1_700_000_000_000_000_000, 1_795_265_763_385_096_400 + 71]) {
      const records = Array.from({ length: 200 }, (_, i) => syscallRecord(0, [1n], 1n, 1n, { tsNs: 10_000_000_000n + BigInt(i) * 1237n }));
      const { expected, batch } = both(records, offset);
      assert.equal(batch.bytes.toString('utf8'), expected);
    }
    // ns steps that are not multiples of a µs land on every 4096th of a ms, ties included
    let ns = 3_600_000_000_000n;
    const spread = Array.from({ length: 5000 }, () => syscallRecord(0, [1n], 1n, 1n, { tsNs: (ns += 244_141n) }));
    const { expected, batch } = both(spread, 1_795_265_763_385_096_400);
    assert.equal(batch.bytes.toString('utf8'), expected);
  });

  it('a stage added after enrich, without an in-place path, sees every record as an event and the NDJSON stays the same', function () {
    const h = { pid: 4242, tid: 4243, ppid: 1, uid: 1000, comm: 'dd' };
    const records = [
      openRecord('/dev/zero', '', 0, 3, h),
      syscallRecord(0, [3n, 0x1000n, 1n], 1n, 850n, h),
      syscallRecord(3, [3n], 0n, 100n, h), // close: the stage still sees fd 3's path
      syscallRecord(0, [3n, 0x10n, 64n], -9n, 900n, h),
    ];
    const payload = Buffer.concat(records);
    const opts = { arch: 'x86_64' as const, realtimeOffsetNs: 0, redact: true };
    const seen: string[] = [];
    const counting: StageFactory = () => ({
      name: 'count',
      record: (r) => { const ev = r.toEvent(); seen.push(ev.kind === 'syscall' ? `${ev.name} ${ev.decoded?.fd_path ?? ''}` : ev.kind); },
    });
    let plain = '';
    through(payload, opts, ndjsonSink((b) => { plain += b.bytes.toString('utf8'); }));
    let staged = '';
    through(payload, opts, ndjsonSink((b) => { staged += b.bytes.toString('utf8'); }), [...STAGES, counting]);
    assert.deepEqual(seen, ['open', 'read /dev/zero', 'close /dev/zero', 'read ']);
    assert.equal(staged, plain);
  });

  it('hands on what arrived since the last flush, once', function () {
    const decoder = new RecordDecoder();
    const batches: number[] = [];
    const pipeline = new Pipeline({ enricher: new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: true }), host: linuxHostFacts() },
      decoder, [ndjsonSink((b) => batches.push(b.events))]);
    const rec = syscallRecord(39, [], 1n, 1n);
    decoder.visit(rec, 0, rec.length, pipeline);
    pipeline.flush();
    pipeline.flush();
    assert.deepEqual(batches, [1]);
  });
});
