import assert from 'node:assert/strict';
import type { ToWebview } from '../../../webview/src/messages';
import { WebviewBatcher } from '../../../extension/src/webviews/messageBatcher';
import { FakeClock } from './helpers/fakeClock';
import { ev } from './helpers/fakeAgent';

describe('WebviewBatcher', () => {
  it('posts at most 30 messages in any second while 20k events/s arrive, and delivers every event in order', () => {
    const clock = new FakeClock();
    const posted: { at: number; m: ToWebview }[] = [];
    const b = new WebviewBatcher((m) => posted.push({ at: clock.now(), m }), { clock });
    let ts = 0;
    // 3 s at 20k events/s, in 1 ms batches of 20, plus a stats update every 50 ms
    for (let ms = 0; ms < 3000; ms++) {
      const batch = Array.from({ length: 20 }, () => ev('open', ts++));
      b.send({ type: 'events', sessionId: 's1', events: batch });
      if (ms % 50 === 0) b.send({ type: 'stats', stats: { sessionId: 's1', state: 'running', events: {}, total: ts, rate: 20000, lost: {}, lostTotal: 0, startedAt: 0 } });
      clock.advance(1);
    }
    clock.advance(2000);
    assert.equal(b.pending, 0);
    // sliding one-second window over post times
    for (let i = 0; i < posted.length; i++) {
      const inWindow = posted.filter((p) => p.at >= posted[i].at && p.at < posted[i].at + 1000).length;
      assert.ok(inWindow <= 30, `${inWindow} messages in the second starting at ${posted[i].at}`);
    }
    const events = posted.flatMap((p) => (p.m.type === 'events' ? p.m.events : []));
    assert.equal(events.length, 60000, 'every event delivered');
    assert.ok(events.every((e, i) => e.ts === i), 'in order');
    assert.ok(posted.filter((p) => p.m.type === 'events').length >= 40, 'events keep flowing, not one huge message at the end');
    assert.ok(posted.some((p) => p.m.type === 'stats'), 'stats forwarded');
  });

  it('coalesces stats to the latest value and splits a large replay into bounded messages', () => {
    const clock = new FakeClock();
    const posted: ToWebview[] = [];
    const b = new WebviewBatcher((m) => posted.push(m), { clock, maxEventsPerMessage: 1000 });
    b.send({ type: 'reset', session: null });
    b.send({ type: 'events', sessionId: 's', events: Array.from({ length: 2500 }, (_, i) => ev('open', i)) });
    for (let total = 1; total <= 5; total++) b.send({ type: 'stats', stats: { sessionId: 's', state: 'running', events: {}, total, rate: 0, lost: {}, lostTotal: 0, startedAt: 0 } });
    clock.advance(1000);
    assert.deepEqual(posted.map((m) => m.type), ['reset', 'events', 'events', 'events', 'stats']);
    assert.deepEqual(posted.filter((m) => m.type === 'events').map((m) => (m.type === 'events' ? m.events.length : 0)), [1000, 1000, 500]);
    const stats = posted.filter((m) => m.type === 'stats');
    assert.equal(stats.length, 1);
    assert.equal(stats[0].type === 'stats' && stats[0].stats.total, 5);
  });

  it('a reset drops events queued for the previous content but keeps init and selection', () => {
    const clock = new FakeClock();
    const posted: ToWebview[] = [];
    const b = new WebviewBatcher((m) => posted.push(m), { clock });
    b.send({ type: 'init', view: 'events', session: null });
    b.send({ type: 'events', sessionId: 'old', events: [ev('open', 1)] });
    b.send({ type: 'select', key: 'k' });
    b.send({ type: 'reset', session: null });
    b.send({ type: 'events', sessionId: 'new', events: [ev('open', 2)] });
    clock.advance(1000);
    assert.deepEqual(posted.map((m) => m.type), ['init', 'select', 'reset', 'events']);
    assert.equal(posted[3].type === 'events' && posted[3].sessionId, 'new');
  });

  it('rejects a nonsensical rate', () => {
    assert.throws(() => new WebviewBatcher(() => undefined, { clock: new FakeClock(), maxPerSecond: 0 }), /maxPerSecond must be a positive integer, got 0/);
  });
});

describe('WebviewBatcher under a burst it cannot pass on', () => {
  it('keeps its queue bounded, skips the oldest waiting events, and tells the view how many', () => {
    const clock = new FakeClock();
    const posted: ToWebview[] = [];
    const b = new WebviewBatcher((m) => posted.push(m), { clock, maxEventsPerMessage: 100, maxQueuedEvents: 1000 });
    for (let i = 0; i < 5000; i += 50) b.send({ type: 'events', sessionId: 's', events: Array.from({ length: 50 }, (_, j) => ev('open', i + j)) });
    assert.equal(b.dropped, 4000);
    clock.advance(10000);
    const shown = posted.flatMap((m) => (m.type === 'events' ? m.events.map((e) => e.ts) : []));
    assert.deepEqual(shown, Array.from({ length: 1000 }, (_, i) => 4000 + i), 'the newest 1000, in order');
    const notice = posted.find((m) => m.type === 'error');
    assert.match(notice?.type === 'error' ? notice.message : '', /^4000 events arrived faster than this view could show them/);
  });
});
