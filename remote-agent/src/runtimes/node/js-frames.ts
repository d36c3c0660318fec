/*
 * A report's frames as event frames (kind "js", innermost first): source
 * maps applied (the script stays as the frame's module), the preload's own
 * frames left out, the npm package named for code under node_modules.
 */
import { packageOfPath } from '../../model/packages';
import type { Frame } from '../../protocol';
import type { RawJsFrame } from './reports';
import type { SourceMaps } from './source-maps';

/** Event frames of raw frames; `skipFile` is the preload's own path. */
export function jsFrames(raw: readonly RawJsFrame[], maps: SourceMaps, skipFile: string): Frame[] {
  const out: Frame[] = [];
  for (const r of raw) {
    if (r.file === skipFile) continue;
    const f: Frame = { kind: 'js' };
    if (r.function) f.function = r.function;
    if (r.file !== undefined) {
      const o = r.line && !r.file.startsWith('node:') ? maps.original(r.file, r.line, r.column) : undefined;
      f.file = o?.file ?? r.file;
      if (o) f.module = r.file;
      if (o?.function && !f.function) f.function = o.function;
      f.line = o?.line ?? r.line;
      f.column = o?.column ?? r.column;
      const pkg = packageOfPath(f.file);
      if (pkg?.kind === 'node') f.package = pkg.name;
    } else {
      f.reason = 'no script (eval or native code)';
    }
    if (!f.line) { delete f.line; delete f.column; f.reason ??= 'V8 gave no line'; }
    out.push(f);
  }
  return out;
}
