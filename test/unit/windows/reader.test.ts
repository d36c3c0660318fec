// lens-probe.exe, the Windows reader, run for real under wine64 against the
// test stand-in of ebpfapi.dll (bpf/windows/standin: records served from a
// file through the same libbpf-compatible calls). What never runs here: the
// real ebpfapi.dll, a kernel ring buffer, eBPF for Windows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LAYOUT, PacketType, ProbeErrorCode, TargetState } from '../../../remote-agent/src/decode/layout';
import { recordBytes, runReader, startWine, stopWine, winCreate, winExit, winSock, type Packet } from '../../helpers/windows-reader';

const ST = LAYOUT.lens_stats.fields;
const statsOf = (p: Packet) => ({
  final: p.payload.readUInt32LE(ST.final),
  events: (k: number) => Number(p.payload.readBigUInt64LE(ST.events + 8 * k)),
  dropped: (k: number) => Number(p.payload.readBigUInt64LE(ST.dropped + 8 * k)),
});
const finalStats = (ps: Packet[]) => ps.some((p) => p.type === PacketType.STATS && statsOf(p).final === 1);

/** N records of a traced tree: creates, connects, accepts, binds and exits. */
function recordedTree(n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; out.length < n; i++) {
    const pid = 5000 + i * 4;
    const t = { pid, ppid: 4242, startNs: 1_700_000_000_000_000_000 + i };
    out.push(...winCreate({ ...t, parentStartNs: 1_600_000_000_000_000_000, image: 'C:\\Windows\\System32\\curl.exe', cmdline: `curl.exe http://10.0.0.${i % 250}/` }));
    out.push(winSock(15, { ...t, local: ['10.0.0.2', 50000 + i], remote: [`10.0.0.${i % 250}`, 80] }));
    out.push(winSock(17, { ...t, local: ['0.0.0.0', 8080] }));
    out.push(winSock(16, { ...t, local: ['10.0.0.2', 8080], remote: ['10.0.0.9', 40000 + i] }));
    out.push(winExit({ ...t, code: i % 3 }));
  }
  return out.slice(0, n);
}

describe('lens-probe.exe under wine (stand-in ebpfapi.dll)', function () {
  this.timeout(120000);
  let dir: string;
  before(function () { this.timeout(180000); ({ dir } = startWine()); });
  after(() => stopWine());

  it('N records in, the same N records out in RECORDS packets; HELLO first; stdin closed: drained, final STATS, exit 0, its pid left lens_tracked', async function () {
    const records = recordedTree(301);
    const input = Buffer.concat(records);
    const log = path.join(dir, 'maps-1.log');
    const run = runReader(dir, ['--pin-root', '/ebpf/global', '--pid', '4242', '--stats-ms', '0'], { records: input, log });
    await run.waitFor((ps) => recordBytes(ps).length >= input.length, 'all records');
    run.child.stdin!.end();
    const { code } = await run.exited;
    assert.equal(code, 0, run.stderr);
    assert.equal(run.packets[0].type, PacketType.HELLO);
    assert.equal(run.packets[1].type, PacketType.TARGET);
    assert.equal(run.packets[1].payload.readUInt32LE(0), TargetState.ATTACHED);
    assert.ok(recordBytes(run.packets).equals(input), 'the records come out byte for byte, in order');
    const last = run.packets.at(-1)!;
    assert.equal(last.type, PacketType.STATS);
    const s = statsOf(last);
    assert.equal(s.final, 1);
    const total = [1, 2, 3, 15, 16, 17].reduce((sum, k) => sum + s.events(k), 0);
    assert.equal(total, 301);
    assert.equal(s.events(15), records.filter((r) => r.readUInt16LE(32) === 15).length);
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['update lens_tracked 4242', 'delete lens_tracked 4242']);
  });

  it('a drop the stand-in reports is counted in STATS; `stats` answers at once; `stop` ends it cleanly', async function () {
    const records = recordedTree(5);
    const run = runReader(dir, ['--pid', '4242', '--stats-ms', '0'], { records: Buffer.concat(records), drops: '15:3,1:1' });
    await run.waitFor((ps) => recordBytes(ps).length === Buffer.concat(records).length, 'the records');
    run.child.stdin!.write('stats\n');
    await run.waitFor((ps) => ps.some((p) => p.type === PacketType.STATS), 'STATS');
    const s = statsOf(run.packets.find((p) => p.type === PacketType.STATS)!);
    assert.equal(s.final, 0);
    assert.equal(s.dropped(15), 3);
    assert.equal(s.dropped(1), 1);
    run.child.stdin!.write('stop\n');
    await run.waitFor(finalStats, 'the final STATS');
    assert.equal((await run.exited).code, 0, run.stderr);
    assert.equal(statsOf(run.packets.at(-1)!).dropped(15), 3);
  });

  it('control: add of a missing process, python and an unknown word are refused with ERROR packets, in order', async function () {
    const run = runReader(dir, ['--pid', '4242', '--stats-ms', '0'], { records: Buffer.alloc(0) });
    run.child.stdin!.write('add 999999\npython 4242 1 2\nfrobnicate\n');
    await run.waitFor((ps) => ps.filter((p) => p.type === PacketType.ERROR).length === 3, 'three ERROR packets');
    const errors = run.packets.filter((p) => p.type === PacketType.ERROR).map((p) => ({ code: p.payload.readUInt32LE(0), message: p.payload.toString('latin1', 8).replace(/\0.*$/s, '') }));
    assert.deepEqual(errors.map((e) => e.code), [ProbeErrorCode.NO_SUCH_PID, ProbeErrorCode.USAGE, ProbeErrorCode.USAGE]);
    assert.match(errors[0].message, /no process 999999/);
    assert.match(errors[1].message, /not read on Windows/);
    run.child.stdin!.end();
    assert.equal((await run.exited).code, 0, run.stderr);
  });

  it('--events: a group Windows cannot trace is an ERROR DEGRADED after HELLO; records of groups not asked for are left out', async function () {
    const records = recordedTree(6);
    const execOnly = Buffer.concat(records.filter((r) => [1, 2, 3].includes(r.readUInt16LE(32))));
    const run = runReader(dir, ['--events', 'exec,file,dns', '--pid', '4242', '--stats-ms', '0'], { records: Buffer.concat(records) });
    await run.waitFor((ps) => recordBytes(ps).length >= execOnly.length && ps.filter((p) => p.type === PacketType.ERROR).length === 2, 'the exec records and two errors');
    run.child.stdin!.end();
    assert.equal((await run.exited).code, 0, run.stderr);
    assert.ok(recordBytes(run.packets).equals(execOnly));
    const errors = run.packets.filter((p) => p.type === PacketType.ERROR);
    assert.deepEqual(errors.map((p) => p.payload.readUInt32LE(0)), [ProbeErrorCode.DEGRADED, ProbeErrorCode.DEGRADED]);
    assert.match(errors[0].payload.toString('latin1', 8), /^file events are not traced on Windows/);
    assert.equal(run.packets[0].type, PacketType.HELLO);
  });

  it('a launched command: started suspended and traced, TARGET STARTED then EXITED with its exit code', async function () {
    const run = runReader(dir, ['--stats-ms', '0', '--', 'cmd.exe', '/c', 'exit', '7'], { records: Buffer.alloc(0) });
    await run.waitFor((ps) => ps.some((p) => p.type === PacketType.TARGET && p.payload.readUInt32LE(0) === TargetState.EXITED), 'TARGET EXITED');
    const targets = run.packets.filter((p) => p.type === PacketType.TARGET).map((p) => ({ state: p.payload.readUInt32LE(0), pid: p.payload.readUInt32LE(4), code: p.payload.readInt32LE(8) }));
    assert.equal(targets[0].state, TargetState.STARTED);
    assert.deepEqual(targets[1], { state: TargetState.EXITED, pid: targets[0].pid, code: 7 });
    run.child.stdin!.end();
    assert.equal((await run.exited).code, 0, run.stderr);
  });

  it('no ebpfapi.dll (eBPF for Windows not installed): an ERROR packet saying what to install, exit 1', async function () {
    const { mkdtempSync, copyFileSync } = await import('node:fs');
    const bare = mkdtempSync(path.join(dir, 'bare-'));
    copyFileSync(path.join(dir, 'lens-probe.exe'), path.join(bare, 'lens-probe.exe'));
    const run = runReader(bare, ['--pid', '4242'], { records: Buffer.alloc(0) });
    const { code } = await run.exited;
    assert.equal(code, 1);
    const err = run.packets.find((p) => p.type === PacketType.ERROR)!;
    assert.equal(err.payload.readUInt32LE(0), ProbeErrorCode.ATTACH);
    assert.match(err.payload.toString('latin1', 8), /ebpfapi\.dll not found: install eBPF for Windows/);
  });
});
