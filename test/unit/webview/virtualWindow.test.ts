import assert from 'node:assert/strict';
import { MAX_SCROLL_HEIGHT, scrollToEnd, scrollToReveal, visibleWindow } from '../../../webview/src/model/virtualWindow';

describe('webview virtual window', () => {
  it('renders only the rows in view plus overscan', () => {
    const w = visibleWindow({ scrollTop: 220, viewportHeight: 440, rowHeight: 22, rowCount: 100_000, overscan: 5 });
    assert.equal(w.first, 5); // row 10 at the top, minus 5 overscan
    assert.equal(w.end, 10 + 21 + 5);
    assert.equal(w.offsetY, 5 * 22);
    assert.equal(w.scrollHeight, 2_200_000);
  });

  it('places a partly scrolled row correctly', () => {
    const w = visibleWindow({ scrollTop: 231, viewportHeight: 440, rowHeight: 22, rowCount: 1000, overscan: 0 });
    assert.equal(w.first, 10);
    assert.equal(w.offsetY, 220);
  });

  it('handles an empty list and clamps past the end', () => {
    assert.deepEqual(visibleWindow({ scrollTop: 50, viewportHeight: 400, rowHeight: 22, rowCount: 0, overscan: 3 }), { first: 0, end: 0, offsetY: 0, scrollHeight: 0 });
    const w = visibleWindow({ scrollTop: 1e9, viewportHeight: 440, rowHeight: 22, rowCount: 100, overscan: 0 });
    assert.equal(w.end, 100);
    assert.ok(w.first <= 80);
  });

  it('scales very long lists under the browser height limit and still reaches the last row', () => {
    const rows = 2_000_000;
    const vh = 440;
    const end = scrollToEnd(rows, 22, vh);
    assert.equal(end, MAX_SCROLL_HEIGHT - vh);
    const w = visibleWindow({ scrollTop: end, viewportHeight: vh, rowHeight: 22, rowCount: rows, overscan: 0 });
    assert.equal(w.end, rows);
    // The last row's bottom lines up with the viewport's bottom.
    assert.ok(Math.abs(w.offsetY + (rows - w.first) * 22 - (end + vh)) < 1e-6);
    const mid = visibleWindow({ scrollTop: end / 2, viewportHeight: vh, rowHeight: 22, rowCount: rows, overscan: 0 });
    assert.ok(Math.abs(mid.first - rows / 2) < 20);
  });

  it('scrolls minimally to reveal a row', () => {
    const base = { viewportHeight: 440, rowHeight: 22, rowCount: 1000 };
    assert.equal(scrollToReveal(12, { ...base, scrollTop: 220 }), null);
    assert.equal(scrollToReveal(3, { ...base, scrollTop: 220 }), 66);
    assert.equal(scrollToReveal(50, { ...base, scrollTop: 220 }), 51 * 22 - 440);
  });
});
