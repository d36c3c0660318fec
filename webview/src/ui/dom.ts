/*
 * Tiny DOM helpers shared by the views: element creation without innerHTML
 * (nothing a strict CSP or an event's text could turn into markup) and a
 * once-per-frame scheduler.
 */

type Attrs = Record<string, string | number | boolean | undefined>;

/** Create an element with attributes and children; `text` children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Array<Node | string>): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Array<Node | string>): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Array<Node | string>): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) el.append(c);
  return el;
}

/** Coalesces many "something changed" calls into one callback per animation frame. */
export class FrameScheduler {
  private pending = false;
  constructor(private readonly run: () => void) {}
  request(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.run();
    });
  }
}

/** Format a count with thousands separators (cheaper than toLocaleString, which is slow per call). */
export function fmtCount(n: number): string {
  const s = String(Math.trunc(n));
  if (s.length <= 3 || (n < 0 && s.length <= 4)) return s;
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
