/*
 * The detail pane's call stack: every frame of the selected event, innermost
 * first — function, file:line (the file's name shown, its path in the
 * tooltip), the module, the package and the frame's kind — each with a file
 * path clickable (the extension opens it at the line); a frame without a line says
 * why. The event's source frame (its innermost frame in the user's code) is
 * marked; a cut stack or an unreadable one says so.
 */
import { framePackage } from '../../../remote-agent/src/model/packages';
import type { Frame, LensEvent } from '../../../remote-agent/src/protocol';
import type { Host } from '../host';
import { h } from '../ui/dom';

/** The name of a path, for cells and labels (the path goes in the tooltip). */
export function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1) || p;
}

/**
 * A frame's function as the stack pane names it: a JS frame without a name is top-level
 * or anonymous code, "(anonymous)" as in the browser's developer tools; otherwise "(unknown)".
 */
export function frameName(f: Frame): string {
  if (f.function) return f.function;
  return f.kind === 'js' ? '(anonymous)' : '(unknown)';
}

/** `file:line:column` as far as known. */
export function location(file: string, line?: number, column?: number): string {
  return `${file}${line ? `:${line}` : ''}${line && column ? `:${column}` : ''}`;
}

/** Whether the editor can open a path: absolute (node:fs or a compile unit's relative name cannot be opened). */
export function isOpenable(file: string): boolean {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('\\\\');
}

function isSource(e: LensEvent, f: Frame): boolean {
  return !!e.source && f.file === e.source.file && f.line === e.source.line;
}

/** Why it exists: show where in the program an event came from, and open any frame's file. */
export class StackPane {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly list: HTMLElement;
  private readonly note: HTMLElement;

  constructor(private readonly host: Host) {
    this.heading = h('h3', { class: 'stack-heading', id: 'stack-heading' }, 'Call stack');
    this.list = h('ol', { class: 'stack-frames', id: 'stack-frames', 'aria-labelledby': 'stack-heading' });
    this.note = h('p', { class: 'stack-note', id: 'stack-note', hidden: true });
    this.element = h('section', { class: 'stack-pane', id: 'stack-pane', hidden: true }, this.heading, this.list, this.note);
    this.list.addEventListener('click', (ev) => {
      const link = (ev.target as HTMLElement).closest<HTMLElement>('.frame-link');
      if (!link?.dataset.file) return;
      ev.preventDefault();
      this.host.post({ type: 'reveal', file: link.dataset.file, line: Number(link.dataset.line) || 1 });
    });
  }

  show(e: LensEvent | null): void {
    const frames = e?.frames ?? [];
    const notes: string[] = [];
    if (e?.frames_truncated) notes.push('The stack goes on beyond these frames (cut at the snapshot size).');
    if (e?.stack_error) notes.push(`No stack: ${e.stack_error}`);
    this.element.hidden = !e || (frames.length === 0 && notes.length === 0);
    this.note.hidden = notes.length === 0;
    this.note.textContent = notes.join(' ');
    if (!e) {
      this.list.replaceChildren();
      return;
    }
    this.heading.textContent = `Call stack (${frames.length} frame${frames.length === 1 ? '' : 's'}${e.frames_truncated ? ', cut' : ''})`;
    this.list.replaceChildren(...frames.map((f) => this.frame(e, f)));
  }

  private frame(e: LensEvent, f: Frame): HTMLElement {
    const fn = h('span', { class: `frame-function${f.function ? '' : ' is-unnamed'}` }, frameName(f));
    const parts: (HTMLElement | string)[] = [fn];
    if (f.inlined) parts.push(' ', h('span', { class: 'frame-tag', title: 'inlined into the frame below' }, 'inlined'));
    const where = h('div', { class: 'frame-where' });
    if (f.file && !isOpenable(f.file)) {
      where.append(h('span', { class: 'frame-file', title: `${location(f.file, f.line, f.column)} (not a path the editor can open)` }, location(f.file, f.line, f.column)));
    } else if (f.file) {
      const full = location(f.file, f.line, f.column);
      const link = h('a', { href: '#', class: 'frame-link', title: `Open ${full}`, 'data-file': f.file, 'data-line': String(f.line ?? 1) }, location(baseName(f.file), f.line, f.column));
      where.append(link);
    } else if (f.module) {
      where.append(h('span', { class: 'frame-module', title: f.module }, baseName(f.module)));
    }
    if (!f.line && (f.reason || !f.file)) where.append(h('span', { class: 'frame-reason' }, ` — ${f.reason ?? 'no line known'}`));
    const pkg = framePackage(f);
    const tags = h('div', { class: 'frame-tags' }, h('span', { class: `frame-tag frame-kind-${f.kind}` }, f.kind ?? 'native'),
      ...(pkg ? [' ', h('span', { class: 'frame-tag frame-package', title: `package ${pkg.name}` }, pkg.name)] : []),
      ...(f.file && f.module ? [' ', h('span', { class: 'frame-module', title: f.module }, baseName(f.module))] : []));
    const source = isSource(e, f);
    return h('li', { class: `stack-frame${source ? ' is-source' : ''}`, ...(source ? { title: 'The event\'s source: its innermost frame in your code' } : {}) },
      h('div', { class: 'frame-head' }, ...parts, ...(source ? [' ', h('span', { class: 'frame-tag frame-source-tag' }, 'your code')] : [])), where, tags);
  }
}
