// The probe's stdin commands as the agent writes them (decode/commands.ts; the words are checked
// against events.h by layout.test.ts, their effect on a real probe by integration/probe-commands).
import assert from 'node:assert/strict';
import { encodeCommand } from '../../../remote-agent/src/decode/commands';

describe('probe stdin commands', function () {
  it('one line per command, a pid in decimal', function () {
    assert.equal(encodeCommand({ op: 'add', pid: 4242 }), 'add 4242\n');
    assert.equal(encodeCommand({ op: 'remove', pid: 1 }), 'remove 1\n');
    assert.equal(encodeCommand({ op: 'stats' }), 'stats\n');
    assert.equal(encodeCommand({ op: 'stop' }), 'stop\n');
  });

  it('refuses a pid the probe would not take, naming it and the range', function () {
    for (const pid of [0, -3, 1.5, 4194304, Number.NaN]) {
      assert.throws(() => encodeCommand({ op: 'add', pid }), new RegExp(`probe command add: pid ${pid} is not a process id \\(expected an integer from 1 to 4194303\\)`));
    }
    assert.throws(() => encodeCommand({ op: 'remove', pid: 0 }), /probe command remove: pid 0/);
  });
});

describe('probe stdin command: python', function () {
  const offsets = {
    interpNext: 0, interpThreads: 16, threadNext: 8, threadTid: 160, threadFrame: 56, cframeFrame: 8,
    frameCode: 32, framePrevious: 48, frameInstr: 56, frameOwner: 69, ownerCstack: 0xffff,
  };

  it('the pid, the cookie, the address in hex and the offsets in struct lens_py_proc order', function () {
    assert.equal(encodeCommand({ op: 'python', pid: 77, cookie: 3, head: 0xa5b768, offsets }), 'python 77 3 a5b768 0 16 8 160 56 8 32 48 56 69 65535\n');
  });

  it('refuses values the probe would not take, naming them', function () {
    assert.throws(() => encodeCommand({ op: 'python', pid: 77, cookie: 0, head: 1, offsets }), /python 77: cookie 0 is not from 1 to 4294967295/);
    assert.throws(() => encodeCommand({ op: 'python', pid: 77, cookie: 1, head: 2 ** 48, offsets }), /python 77: address 281474976710656 is not a user-space address/);
    assert.throws(() => encodeCommand({ op: 'python', pid: 77, cookie: 1, head: 8, offsets: { ...offsets, frameCode: 0xffff } }), /offset frameCode=65535/);
    assert.throws(() => encodeCommand({ op: 'python', pid: 77, cookie: 1, head: 8, offsets: { ...offsets, threadTid: -1 } }), /offset threadTid=-1/);
    assert.throws(() => encodeCommand({ op: 'python', pid: 0, cookie: 1, head: 8, offsets }), /probe command python: pid 0/);
  });
});
