// The agent's half of the lens-symbolize wire format: its constants are the C
// header's (remote-agent/native/protocol.h), a request puts each field where
// the C parser reads it, and answers decode however the stream is chunked.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stackFromAnswer } from '../../../remote-agent/src/symbolize/frames';
import {
  ANS_TRUNCATED, AnswerSplitter, decodeAnswer, DWARF_REGS, encodeForget, encodeMappings, encodeUnwind, FRAME_INLINED, MAPPING_BYTES, MAPPING_DELETED,
  MAX_MAPPINGS_BYTES, MAX_STACK, NREGS,
  PT_REGS_BYTES, PT_REGS_OFFSETS, REQ_FORGET, REQ_HEADER_BYTES, REQ_UNWIND, type UserRegs,
} from '../../../remote-agent/src/symbolize/wire';

const header = readFileSync(path.resolve(__dirname, '../../../remote-agent/native/protocol.h'), 'utf8');

function cDefine(name: string): number {
  const m = new RegExp(`#define ${name} (.+?)(?:\\s*/\\*.*)?$`, 'm').exec(header);
  assert.ok(m, `${name} is not defined in protocol.h`);
  const expr = m[1].replace(/\b(LSYM_\w+)\b/g, (n) => String(cDefine(n))).replace(/(\d+)u\b/g, '$1');
  assert.match(expr, /^[\d\s()*+]+$/, `${name} = ${expr} is not a plain arithmetic expression`);
  return Function(`return (${expr});`)() as number;
}

/** A little-endian answer frame body, built field by field as the helper writes it. */
function answerBody(id: number, flags: number, truncation: string, error: string, frames: { pc: bigint; line: number; column: number; flags: number; strs: string[] }[]): Buffer {
  const parts: Buffer[] = [];
  const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); parts.push(b); };
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
  const str = (s: string) => { u16(Buffer.byteLength(s)); parts.push(Buffer.from(s)); };
  u32(id); u16(flags); u16(frames.length); str(truncation); str(error);
  for (const f of frames) {
    const pc = Buffer.alloc(8); pc.writeBigUInt64LE(f.pc); parts.push(pc);
    u32(f.line); u32(f.column); parts.push(Buffer.from([f.flags]));
    for (const s of f.strs) str(s);
  }
  return Buffer.concat(parts);
}

describe('symbolize wire format', () => {
  it('uses the numbers of remote-agent/native/protocol.h', () => {
    assert.equal(REQ_UNWIND, cDefine('LSYM_REQ_UNWIND'));
    assert.equal(REQ_FORGET, cDefine('LSYM_REQ_FORGET'));
    assert.equal(NREGS, cDefine('LSYM_NREGS'));
    assert.equal(REQ_HEADER_BYTES, cDefine('LSYM_REQ_HEADER_BYTES'));
    assert.equal(MAX_STACK, cDefine('LSYM_MAX_STACK'));
    assert.equal(ANS_TRUNCATED, cDefine('LSYM_ANS_TRUNCATED'));
    assert.equal(FRAME_INLINED, cDefine('LSYM_FRAME_INLINED'));
    assert.equal(MAX_MAPPINGS_BYTES, cDefine('LSYM_MAX_MAPS_BYTES'));
    assert.equal(MAPPING_BYTES, cDefine('LSYM_MAPPING_BYTES'));
    assert.equal(MAPPING_DELETED, cDefine('LSYM_MAP_DELETED'));
  });

  it('puts a process\'s mappings after the stack, each field where the C parser reads it, the frame length counting them', function () {
    const mappings = encodeMappings([{
      start: 0x7f0000001000n, end: 0x7f0000002000n, pgoff: 0x1000n, ino: 42n, mtimeSec: -1n, mtimeNsec: 9, dev: 0xfe00001, deleted: true, path: Buffer.from('/lib/a.so'),
    }]);
    const stack = Uint8Array.from([1, 2, 3]);
    const b = Buffer.concat(encodeUnwind({ id: 1, pid: 2, tid: 2, start: 0n, gen: 5, regs: {}, stackAddr: 0n, stack, mappings }));
    assert.equal(b.readUInt32LE(0), REQ_HEADER_BYTES + stack.length + mappings.length);
    const m = b.subarray(4 + REQ_HEADER_BYTES + stack.length);
    assert.equal(m.readUInt32LE(0), 1);
    assert.deepEqual([m.readBigUInt64LE(4), m.readBigUInt64LE(12), m.readBigUInt64LE(20), m.readBigUInt64LE(28), m.readBigInt64LE(36)],
      [0x7f0000001000n, 0x7f0000002000n, 0x1000n, 42n, -1n]);
    assert.deepEqual([m.readUInt32LE(44), m.readUInt32LE(48), m.readUInt16LE(52), m.readUInt16LE(54)], [9, 0xfe00001, MAPPING_DELETED, 9]);
    assert.equal(m.toString('utf8', 4 + MAPPING_BYTES), '/lib/a.so');
    // a table over the helper's limit is not sent: the helper reads /proc/PID/maps
    const big = Buffer.concat(encodeUnwind({ id: 1, pid: 2, tid: 2, start: 0n, gen: 5, regs: {}, stackAddr: 0n, stack, mappings: new Uint8Array(MAX_MAPPINGS_BYTES + 1) }));
    assert.equal(big.length, 4 + REQ_HEADER_BYTES + stack.length);
  });

  it('encodes an unwind request with registers in DWARF order and the stack after the header', () => {
    const stack = Uint8Array.from([1, 2, 3, 4, 5]);
    const b = Buffer.concat(encodeUnwind({ id: 7, pid: 1234, tid: 1235, start: 0x1122334455667788n, gen: 3, regs: { ax: 10n, ip: 0x401000n, sp: 0x7ffc0000n, bx: -1n }, stackAddr: 0x7ffc0000n, stack }));
    assert.equal(b.readUInt32LE(0), REQ_HEADER_BYTES + stack.length);
    assert.equal(b.length, 4 + REQ_HEADER_BYTES + stack.length);
    assert.deepEqual([b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12), b.readUInt32LE(16)], [REQ_UNWIND, 7, 1234, 1235]);
    assert.equal(b.readBigUInt64LE(20), 0x1122334455667788n);
    assert.deepEqual([b.readUInt32LE(28), b.readUInt32LE(32)], [3, 5]);
    const reg = (n: number) => b.readBigUInt64LE(36 + 8 * n);
    assert.equal(reg(0), 10n); // rax
    assert.equal(reg(3), 0xffffffffffffffffn); // rbx: a negative value is sent as its 64-bit pattern
    assert.equal(reg(7), 0x7ffc0000n); // rsp
    assert.equal(reg(16), 0x401000n); // rip, the return-address column
    assert.equal(reg(1), 0n); // a register not given is 0
    assert.equal(b.readBigUInt64LE(36 + 8 * NREGS), 0x7ffc0000n);
    assert.deepEqual([...b.subarray(4 + REQ_HEADER_BYTES)], [1, 2, 3, 4, 5]);
  });

  it('takes the registers as the kernel\'s pt_regs bytes too, putting each in its DWARF slot', () => {
    const pt = Buffer.alloc(PT_REGS_BYTES);
    const values: UserRegs = {};
    DWARF_REGS.forEach((name, i) => {
      values[name] = 0x1000n * BigInt(i + 1) + 0xffff000000000000n;
      pt.writeBigUInt64LE(values[name]!, PT_REGS_OFFSETS[name]);
    });
    pt.writeBigUInt64LE(0xdeadn, 120); // orig_ax, not a DWARF register
    const base = { id: 1, pid: 2, tid: 2, start: 0n, gen: 0, stackAddr: 0n, stack: new Uint8Array(0) };
    assert.deepEqual(Buffer.concat(encodeUnwind({ ...base, regs: pt })), Buffer.concat(encodeUnwind({ ...base, regs: values })));
    assert.throws(() => encodeUnwind({ ...base, regs: pt.subarray(0, 100) }), /pt_regs of 100 bytes/);
  });

  it('refuses a stack snapshot over the helper limit, naming both sizes', () => {
    assert.throws(() => encodeUnwind({ id: 1, pid: 1, tid: 1, start: 0n, gen: 0, regs: {}, stackAddr: 0n, stack: new Uint8Array(MAX_STACK + 1) }), /65537 bytes .* 65536/);
  });

  it('encodes a forget request as a header with no stack', () => {
    const b = encodeForget(9, 42, 5n);
    assert.equal(b.length, 4 + REQ_HEADER_BYTES);
    assert.deepEqual([b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12)], [REQ_FORGET, 9, 42]);
    assert.equal(b.readBigUInt64LE(20), 5n);
  });

  it('decodes answers split at every byte and turns them into event frames', () => {
    const body = answerBody(7, ANS_TRUNCATED, 'the stack snapshot ended', '', [
      { pc: 0x401234n, line: 12, column: 5, flags: FRAME_INLINED, strs: ['inner()', '/src/a.c', '/bin/a', ''] },
      { pc: 0x401300n, line: 0, column: 0, flags: 0, strs: ['outer', '', '/bin/a', 'stripped'] },
    ]);
    const framed = Buffer.concat([Buffer.from([body.length, 0, 0, 0]), body, Buffer.from([body.length, 0, 0, 0]), body]);
    const splitter = new AnswerSplitter();
    const bodies: Buffer[] = [];
    for (let i = 0; i < framed.length; i++) bodies.push(...splitter.push(framed.subarray(i, i + 1)));
    assert.equal(bodies.length, 2);
    // and at uneven places: a frame's end, whole frames and a frame's start in one chunk
    const many = Buffer.concat(Array(7).fill(framed));
    const whole = new AnswerSplitter();
    let count = 0;
    const cuts = [0, 3, 5, 300, 301, many.length - 2, many.length];
    for (let i = 1; i < cuts.length; i++) {
      for (const b of whole.push(many.subarray(cuts[i - 1], cuts[i]))) {
        assert.deepEqual(decodeAnswer(b), decodeAnswer(body));
        count++;
      }
    }
    assert.equal(count, 14);
    const a = decodeAnswer(bodies[1]);
    assert.equal(a.id, 7);
    assert.equal(a.truncated, true);
    assert.deepEqual(stackFromAnswer(a), {
      frames: [
        { kind: 'native', function: 'inner()', file: '/src/a.c', line: 12, column: 5, module: '/bin/a', address: '0x401234', inlined: true },
        { kind: 'native', function: 'outer', module: '/bin/a', address: '0x401300', reason: 'stripped' },
      ],
      frames_truncated: true,
      frames_truncated_reason: 'the stack snapshot ended',
    });
  });

  it('says why a process-level failure left no frames', () => {
    const a = decodeAnswer(answerBody(3, ANS_TRUNCATED, '', 'process exited before its maps were read', []));
    assert.deepEqual(stackFromAnswer(a), { frames: [], frames_truncated: true, frames_truncated_reason: 'process exited before its maps were read' });
  });

  it('rejects an answer body that ends inside a field', () => {
    const body = answerBody(1, 0, '', '', [{ pc: 1n, line: 1, column: 1, flags: 0, strs: ['f', 'file', 'mod', ''] }]);
    assert.throws(() => decodeAnswer(body.subarray(0, body.length - 3)), /answer body ends at byte/);
  });
});
