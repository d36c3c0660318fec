// The loss a dead probe leaves behind: records it had committed to its output but the agent never
// received are lost, and without the probe's final report the total is only a lower bound.
import assert from 'node:assert/strict';
import { Kind, KIND_MAX } from '../../../remote-agent/src/decode/layout';
import type { ProbeStats } from '../../../remote-agent/src/decode/control';
import { lostText } from '../../../remote-agent/src/output/counts';
import { lossStats, withUndelivered } from '../../../remote-agent/src/trace/loss';

function stats(committed: Record<number, number>, dropped: Record<number, number>, final: boolean): ProbeStats {
  const row = (v: Record<number, number>) => Array.from({ length: KIND_MAX }, (_, k) => v[k] ?? 0);
  return { events: row(committed), dropped: row(dropped), queuedBytes: 0, committed: row(committed), final };
}

function received(v: Record<number, number>): number {
  return Object.values(v).reduce((a, b) => a + b, 0);
}

describe('loss when the probe dies', function () {
  it('an orderly end: the count is exact, with no bound', function () {
    const s = stats({ [Kind.OPEN]: 100 }, { [Kind.OPEN]: 5 }, true);
    const l = withUndelivered(lossStats(s), s, received({ [Kind.OPEN]: 100 }), false);
    assert.deepEqual([l.lostTotal, l.lost.open, l.lostBound], [5, 5, undefined]);
    assert.equal(lostText(l.lostTotal, l.lostBound), 'lost=5');
  });

  it('counts lost code mappings (records that are not events) by their kind, in the total but not among the events', function () {
    const s = stats({ [Kind.OPEN]: 10, [Kind.MMAP]: 4 }, { [Kind.MMAP]: 2 }, true);
    const l = withUndelivered(lossStats(s), s, received({ [Kind.OPEN]: 10, [Kind.MMAP]: 4 }), false);
    assert.deepEqual([l.lostTotal, l.lost.mmap, l.events], [2, 2, { open: 10 }]);
    assert.deepEqual(l.reasons, { buffers_full: 2 });
  });

  it('a dead probe: committed but never received is lost, at least', function () {
    const s = stats({ [Kind.OPEN]: 1000, [Kind.EXEC]: 3 }, { [Kind.OPEN]: 7 }, false);
    const l = withUndelivered(lossStats(s), s, received({ [Kind.OPEN]: 400, [Kind.EXEC]: 3 }), true);
    assert.deepEqual([l.lostTotal, l.lost.open, l.lostBound], [607, 7, 'atLeast'], 'the queue and ring drops per kind, the undelivered in the total');
    assert.deepEqual(l.reasons, { buffers_full: 7, probe_died: 600 }, 'every loss has its reason');
    assert.equal(lostText(l.lostTotal, l.lostBound), 'lost>=607');
  });

  it('a dead probe with nothing to show a loss: unknown, never lost=0', function () {
    const s = stats({ [Kind.OPEN]: 10 }, {}, false);
    const l = withUndelivered(lossStats(s), s, received({ [Kind.OPEN]: 12 }), true);
    assert.deepEqual([l.lostTotal, l.lostBound], [0, 'unknown']);
    assert.equal(lostText(l.lostTotal, l.lostBound), 'lost=unknown');
    const none = withUndelivered({ events: {}, lost: {}, lostTotal: 0, reasons: {}, queuedBytes: 0 }, undefined, received({}), true);
    assert.equal(none.lostBound, 'unknown', 'killed before its first report');
  });
});
