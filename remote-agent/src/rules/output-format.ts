/*
 * A rule's output text: `%field` and `%field[arg]` filled in from the event
 * (`<NA>` where the event has no value), compiled once into pieces.
 */
import type { EventFacts } from './event-facts';
import { FIELDS, type FieldValue } from './fields';

/** A field named in an output that Runtime Lens does not fill, and where it is in the text. */
export interface OutputField { name: string; offset: number; length: number }

const FIELD_REF = /%([A-Za-z_][\w]*(?:\.[\w]+)+)(?:\[([^\]]*)\])?/g;

function show(v: FieldValue): string {
  if (v === undefined) return '<NA>';
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** Compiles an output template; fields it does not know are reported to `unknown` and shown as <NA>. */
export function compileOutput(text: string, unknown: (f: OutputField) => void): (f: EventFacts) => string {
  const parts: (string | ((f: EventFacts) => string))[] = [];
  let last = 0;
  for (const m of text.matchAll(FIELD_REF)) {
    parts.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    const spec = FIELDS[m[1]];
    if (!spec) { unknown({ name: m[1], offset: m.index, length: m[0].length }); parts.push('<NA>'); continue; }
    const arg = m[2] === undefined ? undefined : spec.arg === 'index' ? Number(m[2]) : m[2];
    parts.push((f) => show(spec.get(f, arg)));
  }
  parts.push(text.slice(last));
  const pieces = parts.filter((p) => p !== '');
  return (f) => {
    let s = '';
    for (const p of pieces) s += typeof p === 'string' ? p : p(f);
    return s;
  };
}
