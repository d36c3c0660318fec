// `trace --stacks` under a storm of short processes (what npm install, make -j or a test suite
// spawning thousands of children does): every new process needs its own unwinding session, and
// the C library's separate debug file must not be decompressed again for each one, or the
// symbolizer falls behind and the events lose their frames ("symbolizer busy").
import assert from 'node:assert/strict';
import type { LensEvent } from '../../remote-agent/src/protocol';
import { requireBpf } from '../helpers/bpf';
import { nativeFixture } from '../helpers/native-stacks';
import { assertExit, trace } from '../helpers/trace';

const PROCESSES = 200;
const AT_ONCE = 24;

describe('trace --stacks: a storm of short processes', function () {
  this.timeout(120_000);
  before(function () {
    requireBpf(this);
  });

  it(`keeps the frames of nearly every event of ${PROCESSES} short processes, ${AT_ONCE} alive at once`, async function () {
    const bin = nativeFixture('many-procs', 'bench/many-procs.c', 'gcc', ['-O2', '-g']);
    const result = await trace([bin, String(PROCESSES), String(AT_ONCE)], ['--events', 'exec,file', '--stacks']);
    assertExit(result, 0);
    const parent = result.events.find((e) => e.kind === 'exec')!.pid;
    const touches = result.events.filter((e): e is LensEvent & { kind: 'open' } => e.kind === 'open' && e.path === '/dev/null' && e.pid !== parent);
    assert.ok(touches.length >= PROCESSES * 4 * 0.9, `${touches.length} opens of /dev/null by the children (${result.summary?.lost} lost)`);
    const withLine = touches.filter((e) => e.frames?.some((f) => f.function === 'touch' && f.file?.endsWith('many-procs.c') && f.line));
    const errors = new Map<string, number>();
    for (const e of touches) if (e.stack_error) errors.set(e.stack_error, (errors.get(e.stack_error) ?? 0) + 1);
    assert.ok(withLine.length >= touches.length * 0.9,
      `${withLine.length} of ${touches.length} opens have the line of touch(); stack errors: ${JSON.stringify([...errors])}`);
  });
});
