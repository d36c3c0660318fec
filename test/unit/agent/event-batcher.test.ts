// Event batching for session/events: at most maxEvents per notification, at most maxDelayMs of waiting.
import assert from 'node:assert/strict';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { EventBatcher, type Timers } from '../../../remote-agent/src/rpc/event-batcher';

/** Timers the test fires by hand. */
class ManualTimers implements Timers {
  pending = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown { const id = this.next++; this.pending.set(id, { fn, ms }); return id; }
  clearTimeout(h: unknown): void { this.pending.delete(h as number); }
  fire(): void { const all = [...this.pending.values()]; this.pending.clear(); for (const t of all) t.fn(); }
}

const events = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'open', pid: i }) as unknown as LensEvent);

describe('event batcher', function () {
  it('sends full batches at once and the rest after the delay', function () {
    const sent: number[] = [];
    const timers = new ManualTimers();
    const b = new EventBatcher((e) => sent.push(e.length), 4096, 50, timers);
    b.add(events(10000));
    assert.deepEqual(sent, [4096, 4096]);
    assert.equal([...timers.pending.values()][0].ms, 50);
    b.add(events(100));
    assert.equal(timers.pending.size, 1, 'one timer for the waiting batch');
    timers.fire();
    assert.deepEqual(sent, [4096, 4096, 1908]);
  });

  it('keeps order across batches, and flush sends what waits and cancels the timer', function () {
    const got: LensEvent[] = [];
    const timers = new ManualTimers();
    const b = new EventBatcher((e) => got.push(...e), 3, 50, timers);
    b.add(events(2));
    b.add(events(2));
    b.flush();
    assert.equal(timers.pending.size, 0);
    assert.deepEqual(got.map((e) => e.pid), [0, 1, 0, 1]);
    b.flush();
    assert.equal(got.length, 4, 'an empty flush sends nothing');
  });
});
