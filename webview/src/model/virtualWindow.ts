/*
 * Scroll math for a virtualized list with a fixed row height: which rows to
 * put in the DOM for a scroll position, and where to place them. Browsers cap
 * an element's height (~33M px in Chromium), so past MAX_SCROLL_HEIGHT the
 * scroll range is scaled down and mapped proportionally onto the rows.
 */

/** Largest spacer height used; beyond it scroll positions are scaled. */
export const MAX_SCROLL_HEIGHT = 10_000_000;

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  rowCount: number;
  /** extra rows rendered above and below the viewport */
  overscan: number;
}

export interface RowWindow {
  /** first row index to render (inclusive) */
  first: number;
  /** last row index to render (exclusive) */
  end: number;
  /** y of row `first` inside the scroll content, in px */
  offsetY: number;
  /** height of the scroll content (the spacer), in px */
  scrollHeight: number;
}

/** Height of the scroll content for `rowCount` rows. */
export function contentHeight(rowCount: number, rowHeight: number): number {
  return Math.min(rowCount * rowHeight, MAX_SCROLL_HEIGHT);
}

function scale(rowCount: number, rowHeight: number, viewportHeight: number): number {
  const real = rowCount * rowHeight;
  const shown = contentHeight(rowCount, rowHeight);
  if (real <= shown || shown <= viewportHeight) return 1;
  return (real - viewportHeight) / (shown - viewportHeight);
}

/** The rows to render for a scroll position. */
export function visibleWindow(w: WindowInput): RowWindow {
  const { rowHeight, rowCount, viewportHeight, overscan } = w;
  const height = contentHeight(rowCount, rowHeight);
  const maxTop = Math.max(0, height - viewportHeight);
  const scrollTop = Math.min(Math.max(0, w.scrollTop), maxTop);
  if (rowCount === 0 || rowHeight <= 0) return { first: 0, end: 0, offsetY: 0, scrollHeight: height };
  const topRow = (scrollTop * scale(rowCount, rowHeight, viewportHeight)) / rowHeight;
  const whole = Math.floor(topRow);
  const first = Math.max(0, whole - overscan);
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const end = Math.min(rowCount, whole + visible + overscan);
  const offsetY = scrollTop - (topRow - whole) * rowHeight - (whole - first) * rowHeight;
  return { first, end, offsetY, scrollHeight: height };
}

/** scrollTop that brings row `index` into view (minimal movement), or null if it already is. */
export function scrollToReveal(index: number, w: Omit<WindowInput, 'overscan'>): number | null {
  const s = scale(w.rowCount, w.rowHeight, w.viewportHeight);
  const topRow = (w.scrollTop * s) / w.rowHeight;
  const visibleRows = w.viewportHeight / w.rowHeight;
  if (index >= topRow && index + 1 <= topRow + visibleRows) return null;
  if (index < topRow) return (index * w.rowHeight) / s;
  return Math.max(0, (index + 1) * w.rowHeight - w.viewportHeight) / s;
}

/** scrollTop of the very end of the list (follow mode). */
export function scrollToEnd(rowCount: number, rowHeight: number, viewportHeight: number): number {
  return Math.max(0, contentHeight(rowCount, rowHeight) - viewportHeight);
}
