/*
 * Source maps for JS frames, applied in the agent (the target runs
 * unchanged: no --enable-source-maps, no changed Error.stack). A script's
 * last `//# sourceMappingURL=` comment names its map (a file beside it or a
 * data: URL); Node's own module.SourceMap reads it, so the one-file agent
 * needs no library. Maps are cached per script, checked against its mtime.
 * A call through a module binding, compiled to `(0, mod.f)(…)` (tsc, esbuild,
 * Babel), is placed by V8 at its argument list: it is looked up at the callee,
 * where a direct call `f(…)` is placed and where the map points at the source's call.
 */
import { readFileSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a generated position came from. */
export interface OriginalPosition { file: string; line: number; column: number; function?: string }

interface Cached {
  mtimeMs: number;
  map: SourceMap | undefined;
  dir: string;
  /** generated position (0-based, key of `at`) of each `(0, mod.f)(`'s argument list → that of its callee */
  calleeOf: Map<number, [number, number]>;
}

/** Scripts whose maps are kept; the oldest is forgotten beyond. */
const MAX_SCRIPTS = 512;
/** Scripts and maps larger than this are not read. */
const MAX_BYTES = 32 * 1024 * 1024;

/** Maps generated positions of scripts to their sources. */
export class SourceMaps {
  private readonly cache = new Map<string, Cached>();

  /** The original position of script:line:column (1-based), or undefined when the script has no map or the map says nothing there. */
  original(script: string, line: number, column: number): OriginalPosition | undefined {
    if (!path.isAbsolute(script)) return undefined;
    const c = this.load(script);
    if (!c?.map) return undefined;
    const [l, col] = c.calleeOf.get(at(line - 1, column - 1)) ?? [line - 1, column - 1];
    const e = c.map.findEntry(l, col) as Partial<{ originalSource: string; originalLine: number; originalColumn: number; name: string }>;
    if (!e || typeof e.originalSource !== 'string' || typeof e.originalLine !== 'number') return undefined;
    const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : path.resolve(c.dir, e.originalSource);
    const o: OriginalPosition = { file: src, line: e.originalLine + 1, column: (e.originalColumn ?? 0) + 1 };
    if (e.name) o.function = e.name;
    return o;
  }

  private load(script: string): Cached | undefined {
    let mtimeMs: number;
    try {
      const st = statSync(script);
      if (!st.isFile() || st.size > MAX_BYTES) return undefined;
      mtimeMs = st.mtimeMs;
    } catch {
      return undefined;
    }
    const hit = this.cache.get(script);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    const c: Cached = { mtimeMs, map: undefined, dir: path.dirname(script), calleeOf: new Map() };
    try {
      const text = readFileSync(script, 'utf8');
      const found = readMap(script, text);
      if (found) {
        c.map = new SourceMap(found.payload);
        c.dir = path.resolve(found.dir, found.payload.sourceRoot ?? '');
        c.calleeOf = bindingCalls(text);
      }
    } catch { /* no usable map: frames keep the script's own lines */ }
    this.cache.delete(script);
    this.cache.set(script, c);
    if (this.cache.size > MAX_SCRIPTS) this.cache.delete(this.cache.keys().next().value!);
    return c;
  }
}

/** One number for a 0-based line and column (columns below 2^24). */
function at(line: number, column: number): number {
  return line * 0x1000000 + column;
}

/** Where each `(0, mod.f)(` of a generated script has its argument list and its callee `f`. */
function bindingCalls(text: string): Map<number, [number, number]> {
  const found = new Map<number, [number, number]>();
  const call = /\(0, ?([\w$]+(?:\.[\w$]+)*)\)\(/g;
  text.split('\n').forEach((lineText, line) => {
    if (!lineText.includes('(0,')) return;
    for (const m of lineText.matchAll(call)) {
      const callee = m[1]!;
      found.set(at(line, m.index + m[0].length - 1), [line, m.index + m[0].indexOf(callee) + callee.lastIndexOf('.') + 1]);
    }
  });
  return found;
}

/** The map a script names, and the folder its sources are relative to. */
function readMap(script: string, text: string): { payload: SourceMapPayload; dir: string } | undefined {
  const at = text.lastIndexOf('sourceMappingURL=');
  if (at < 4 || !/\/\/[#@] $/.test(text.slice(at - 4, at))) return undefined;
  const ref = /^[^\s'"]+/.exec(text.slice(at + 'sourceMappingURL='.length))?.[0];
  if (!ref) return undefined;
  if (ref.startsWith('data:')) {
    const comma = ref.indexOf(',');
    const meta = ref.slice(0, comma);
    const body = ref.slice(comma + 1);
    const json = meta.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
    return { payload: JSON.parse(json) as SourceMapPayload, dir: path.dirname(script) };
  }
  const mapFile = ref.startsWith('file://') ? fileURLToPath(ref) : path.resolve(path.dirname(script), decodeURIComponent(ref));
  if (statSync(mapFile).size > MAX_BYTES) return undefined;
  return { payload: JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload, dir: path.dirname(mapFile) };
}
