// A launched command found through PATH: the agent resolves it and the probe executes that file,
// so the trace starts with exactly one exec (no failed exec per PATH entry before it), and the
// program still sees argv[0] as typed.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { requireBpf } from '../../helpers/bpf';
import { scratchDir } from '../../helpers/fixtures';
import { assertExit, select, trace } from '../../helpers/trace';

describe('launching a command found in PATH', function () {
  before(function () {
    requireBpf(this);
  });

  it('is traced as one exec of the resolved file with argv[0] as typed', async function () {
    const dir = scratchDir('launch-exec');
    // directories before the real one that do not hold the command: execvp would try each of them
    const empty = ['a', 'b', 'c'].map((d) => path.join(dir, d));
    for (const d of empty) mkdirSync(d, { recursive: true });
    const bin = path.join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync('/bin/true', path.join(bin, 'lens-true'));
    const result = await trace(['lens-true', 'arg'], ['--events', 'exec'], { env: { PATH: [...empty, bin, '/usr/bin', '/bin'].join(':') } });
    assertExit(result, 0);
    const execs = select(result.events, 'exec');
    assert.ok(execs.length >= 1, `an exec event:\n${result.stderr}`);
    const first = execs[0];
    assert.equal(first.filename, path.join(bin, 'lens-true'));
    assert.deepEqual(first.argv, ['lens-true', 'arg']);
    assert.equal(first.ret, 0);
    assert.deepEqual(execs.filter((e) => e.ret !== 0).map((e) => e.filename), [], 'no failed exec before the target');
  });
});
