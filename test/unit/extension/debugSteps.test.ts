import assert from 'node:assert/strict';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { stepEvents } from '../../../extension/src/views/debugStepTree';
import { stepAt, stepLabel, stepRange } from '../../../webview/src/model/debugSteps';

const steps = [
  { index: 1, from: 100, stoppedAt: 150, reason: 'breakpoint', to: 200 },
  { index: 2, from: 200, stoppedAt: 260, reason: 'step', to: 300 },
  { index: 3, from: 300 },
];
const at = (ts: number) => ({ ts, kind: 'open', pid: 1, tid: 1, ppid: 0, uid: 0, comm: 'node', key: '1:1', syscall: 'openat', path: `/f${ts}`, flags: 'O_RDONLY', ret: 3 }) as LensEvent;

describe('debug steps: which events a step holds', () => {
  it('an event belongs to the last step started at or before it; a stop and the next continue bound it', () => {
    assert.equal(stepAt(steps, 99), undefined);
    assert.equal(stepAt(steps, 100)?.index, 1);
    assert.equal(stepAt(steps, 199.9)?.index, 1);
    assert.equal(stepAt(steps, 200)?.index, 2);
    assert.equal(stepAt(steps, 10_000)?.index, 3);
    // events that arrive after the stop, before the continue, are still that step's (the kernel's records come late)
    assert.deepEqual(stepEvents([at(90), at(120), at(170), at(200), at(310)], steps[0]).map((e) => e.ts), [120, 170]);
    assert.deepEqual(stepEvents([at(90), at(120), at(310)], steps[2]).map((e) => e.ts), [310]);
  });

  it('names a step by how it ended, and the current one runs to the end of time', () => {
    assert.equal(stepLabel(steps[0]), 'Step 1 (stopped: breakpoint)');
    assert.equal(stepLabel(steps[2]), 'Step 3 (running)');
    assert.deepEqual(stepRange(steps[1]), { from: 200, to: 300 });
    assert.deepEqual(stepRange(steps[2]), { from: 300, to: Number.MAX_SAFE_INTEGER });
  });
});
