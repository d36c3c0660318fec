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
