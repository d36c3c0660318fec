// The per-process code mappings the symbolize stage keeps from the probe's mmap records: an
// exec's records replace the table (the former one stays for the exec's own stack), a fork copies
// it, a new mapping replaces what it overlaps, what is kept is bounded, and the records are
// decoded but reach no sink (they are not events).
import assert from 'node:assert/strict';
import { forkRecord, mmapRecord, openRecord, type MmapFields } from '../../../remote-agent/src/bench/synthetic';
import { linuxHostFacts } from '../../../remote-agent/src/backend/linux/host-facts';
import { MapFlag } from '../../../remote-agent/src/decode/layout';
import { RecordDecoder, type MmapRecord, type ProbeRecord } from '../../../remote-agent/src/decode/records';
import { enrichStage } from '../../../remote-agent/src/enrich/enrich-stage';
import { Enricher } from '../../../remote-agent/src/enrich/enricher';
import { eventSink } from '../../../remote-agent/src/pipeline/event-sink';
import { Pipeline } from '../../../remote-agent/src/pipeline/pipeline';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { CodeMaps, type MappingsFor } from '../../../remote-agent/src/symbolize/code-maps';
import { MAPPING_BYTES } from '../../../remote-agent/src/symbolize/wire';

function decoded(fields: MmapFields, pid = 100): MmapRecord {
  const out: ProbeRecord[] = [];
  const b = mmapRecord(fields, { pid });
  new RecordDecoder().decode(b, 0, b.length, out);
  return out[0] as MmapRecord;
}

/** start-end:path of each mapping of an encoded table (the section lens-symbolize reads). */
function listed(m: MappingsFor | undefined): string[] {
  const b = m?.mappings ? Buffer.from(m.mappings) : undefined;
  if (!b) return [];
  const out: string[] = [];
  let at = 4;
  for (let i = 0; i < b.readUInt32LE(0); i++) {
    const len = b.readUInt16LE(at + MAPPING_BYTES - 2);
    const path = b.toString('utf8', at + MAPPING_BYTES, at + MAPPING_BYTES + len);
    out.push(`${b.readBigUInt64LE(at).toString(16)}-${b.readBigUInt64LE(at + 8).toString(16)}+${b.readBigUInt64LE(at + 16).toString(16)}:${path}`);
    at += MAPPING_BYTES + len;
  }
  return out;
}

const exe = { start: 0x1000n, end: 0x2000n, pgoff: 0x1000n, path: '/bin/prog', mapFlags: MapFlag.EXEC | MapFlag.RESET };
const ld = { start: 0x7000n, end: 0x8000n, pgoff: 0x1000n, path: '/lib/ld.so', mapFlags: MapFlag.EXEC };
const libc = { start: 0x5000n, end: 0x6000n, pgoff: 0x2000n, path: '/lib/libc.so' };

describe('code mappings per process', function () {
  it('decodes every field of an mmap record', function () {
    const r = decoded({ start: 0x7f0000001000n, end: 0x7f0000005000n, pgoff: 0x1000n, ino: 77n, mtimeSec: 1700000000n, mtimeNsec: 5, dev: 0xfe00001, mapFlags: MapFlag.DELETED, path: '/tmp/x.so' });
    assert.deepEqual({ ...r, comm: undefined, tsNs: undefined }, {
      kind: 23, startNs: 500_000_000, pid: 100, tid: 100, ppid: 1, uid: 0, flags: 0, comm: undefined, tsNs: undefined,
      start: 0x7f0000001000n, end: 0x7f0000005000n, pgoff: 0x1000n, ino: 77n, mtimeSec: 1700000000n, mtimeNsec: 5, dev: 0xfe00001, mapFlags: MapFlag.DELETED, path: '/tmp/x.so',
    });
  });

  it('starts a table at an exec, adds what is mapped after, and keeps the former program\'s for the exec\'s stack', function () {
    const maps = new CodeMaps();
    assert.equal(maps.now('100:1').mappings, undefined, 'a process seen only running has no table: /proc/PID/maps is read');
    maps.mapped('100:1', decoded(exe));
    maps.mapped('100:1', decoded(ld));
    maps.mapped('100:1', decoded(libc));
    const first = maps.now('100:1');
    assert.deepEqual(listed(first), ['1000-2000+1000:/bin/prog', '5000-6000+2000:/lib/libc.so', '7000-8000+1000:/lib/ld.so']);
    // the process execs another program: its records come before the exec record
    maps.mapped('100:1', decoded({ ...exe, path: '/bin/other' }));
    const after = maps.now('100:1');
    assert.ok(after.gen !== first.gen, 'a new table has a new generation');
    assert.deepEqual(listed(after), ['1000-2000+1000:/bin/other']);
    const before = maps.execed('100:1');
    assert.deepEqual(listed(before), listed(first), 'the exec\'s stack is unwound with the program it replaced');
    assert.equal(before?.gen, first.gen);
    assert.equal(maps.execed('100:1'), undefined, 'only once');
  });

  it('gives a forked child its parent\'s mappings, which then go their own way', function () {
    const maps = new CodeMaps();
    maps.mapped('100:1', decoded(exe));
    maps.forked('100:1', '200:2');
    maps.mapped('200:2', decoded(libc, 200));
    assert.deepEqual(listed(maps.now('200:2')), ['1000-2000+1000:/bin/prog', '5000-6000+2000:/lib/libc.so']);
    assert.deepEqual(listed(maps.now('100:1')), ['1000-2000+1000:/bin/prog']);
    maps.forked('300:3', '400:4');
    assert.equal(maps.now('400:4').mappings, undefined, 'the child of a process without a table has none');
  });

  it('replaces what a new mapping covers, keeping the rest of an older one with its file offset', function () {
    const maps = new CodeMaps();
    maps.mapped('100:1', decoded({ ...exe, start: 0x10000n, end: 0x20000n, pgoff: 0n }));
    maps.mapped('100:1', decoded({ start: 0x14000n, end: 0x15000n, pgoff: 0x3000n, path: '/lib/a.so' }));
    assert.deepEqual(listed(maps.now('100:1')), ['10000-14000+0:/bin/prog', '14000-15000+3000:/lib/a.so', '15000-20000+5000:/bin/prog']);
  });

  it('keeps a bounded number of processes and of mappings per process, then reads /proc/PID/maps instead', function () {
    const maps = new CodeMaps(2, 3);
    for (const key of ['1:1', '2:2', '3:3']) maps.mapped(key, decoded(exe));
    assert.equal(maps.size, 2);
    assert.equal(maps.now('1:1').mappings, undefined, 'the least recently changed process was dropped');
    maps.mapped('3:3', decoded({ ...libc, start: 0x3000n, end: 0x4000n }));
    maps.mapped('3:3', decoded(libc));
    assert.equal(listed(maps.now('3:3')).length, 3);
    maps.mapped('3:3', decoded(ld));
    assert.equal(maps.now('3:3').mappings, undefined, 'a fourth mapping gives the table up');
    maps.exited('2:2');
    assert.equal(maps.size, 1);
  });

  it('hands no sink an mmap record: it is not an event, and the events around it are unchanged', function () {
    const decoder = new RecordDecoder();
    const seen: LensEvent[] = [];
    const pipeline = new Pipeline({ enricher: new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: true }), host: linuxHostFacts(), stacks: true },
      decoder, [eventSink((events) => seen.push(...events))], [enrichStage]);
    const payload = Buffer.concat([openRecord('/a', '', 0, 3), mmapRecord(exe), forkRecord(101, 7n), mmapRecord(libc), openRecord('/b', '', 0, 4)]);
    decoder.visit(payload, 0, payload.length, pipeline);
    pipeline.flush();
    assert.deepEqual(seen.map((e) => e.kind), ['open', 'fork', 'open']);
    assert.equal(decoder.problemCount, 0);
  });
});
