/*
 * One `FIELD OP VALUE` check as a plain closure over EventFacts: the value is
 * converted once (numbers, booleans, sets, regular expressions), the field's
 * getter is called once per event. A field with no value (undefined) fails
 * every check; a list-valued field (proc.aname) passes when one item does.
 */
import type { EventFacts } from './event-facts';
import type { FieldSpec, FieldValue } from './fields';

export type Pred = (f: EventFacts) => boolean;

/** A check that cannot be built: what was wrong (the caller knows where). */
export class CheckError extends Error {}

/** What a macro found, kept for the rest of its event: rules sharing a macro evaluate it once per event. */
export function memo(pred: Pred): Pred {
  let gen = -1;
  let value = false;
  return (f) => {
    if (f.gen !== gen) { gen = f.gen; value = pred(f); }
    return value;
  };
}

/** A field's value kept for the rest of its event: the rules of an event read fd.name, evt.type … once. */
export function memoField(get: (f: EventFacts) => FieldValue): (f: EventFacts) => FieldValue {
  let gen = -1;
  let value: FieldValue;
  return (f) => {
    if (f.gen !== gen) { gen = f.gen; value = get(f); }
    return value;
  };
}

/**
 * Falco's glob as a test: a glob with `*` only is matched by its literal parts in order
 * (startsWith, indexOf, endsWith); one with `?` or `[…]` as an anchored regular expression.
 */
export function globTest(glob: string): (s: string) => boolean {
  if (/[?[]/.test(glob)) {
    const re = globRegExp(glob);
    return (s) => re.test(s);
  }
  const parts = glob.split('*');
  if (parts.length === 1) return (s) => s === glob;
  const first = parts[0];
  const last = parts[parts.length - 1];
  const middle = parts.slice(1, -1).filter(Boolean);
  const least = first.length + last.length + middle.reduce((n, p) => n + p.length, 0);
  return (s) => {
    if (s.length < least || !s.startsWith(first) || !s.endsWith(last)) return false;
    let at = first.length;
    const end = s.length - last.length;
    for (const p of middle) {
      const i = s.indexOf(p, at);
      if (i < 0 || i + p.length > end) return false;
      at = i + p.length;
    }
    return true;
  };
}

/** Falco's glob (fnmatch without FNM_PATHNAME: `*` crosses `/`), anchored. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) { re += '\\['; continue; }
      const body = glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function scalarTest(op: string, values: readonly string[], spec: FieldSpec): (v: string | number | boolean) => boolean {
  const numeric = spec.type === 'number' || spec.type === 'numbers';
  const bool = spec.type === 'bool';
  const conv = (s: string): string | number | boolean => {
    if (numeric) {
      const n = Number(s);
      if (s.trim() === '' || !Number.isFinite(n)) throw new CheckError(`expected a number to compare with, found '${s}'`);
      return n;
    }
    if (bool) {
      if (s !== 'true' && s !== 'false') throw new CheckError(`expected true or false, found '${s}'`);
      return s === 'true';
    }
    return s;
  };
  const text = (v: string | number | boolean) => String(v);
  const x = values[0];
  switch (op) {
    case '=': case '==': { const c = conv(x); return (v) => v === c; }
    case '!=': { const c = conv(x); return (v) => v !== c; }
    case '<': case '<=': case '>': case '>=': {
      if (!numeric) throw new CheckError(`'${op}' compares numbers; this field is text (use =, in, startswith, …)`);
      const c = conv(x) as number;
      return op === '<' ? (v) => (v as number) < c : op === '<=' ? (v) => (v as number) <= c : op === '>' ? (v) => (v as number) > c : (v) => (v as number) >= c;
    }
    case 'contains': return (v) => text(v).includes(x);
    case 'icontains': { const l = x.toLowerCase(); return (v) => text(v).toLowerCase().includes(l); }
    case 'startswith': return (v) => text(v).startsWith(x);
    case 'endswith': return (v) => text(v).endsWith(x);
    case 'glob': { const t = globTest(x); return (v) => t(text(v)); }
    case 'regex': {
      let re: RegExp;
      try { re = new RegExp(x); } catch (e) { throw new CheckError(`not a regular expression: ${(e as Error).message}`); }
      return (v) => re.test(text(v));
    }
    case 'in': case 'intersects': {
      const set = new Set(values.map(conv));
      return (v) => set.has(v);
    }
    case 'pmatch': {
      const prefixes = values.map((p) => p.replace(/\/+$/, ''));
      return (v) => { const s = text(v); return prefixes.some((p) => s === p || s.startsWith(p + '/')); };
    }
    default: throw new CheckError(`unknown operator '${op}'`);
  }
}

/**
 * One closure for `field op1 v1 or field op2 v2 or …` on a field with one value: the field is read
 * once and the tests run in order (a path against a list of globs, the common shape of rules).
 */
export function buildAnyOf(spec: FieldSpec, arg: string | number | undefined, checks: readonly { op: string; values: readonly string[] }[]): Pred {
  const get = spec.get;
  const tests = checks.map((c) => scalarTest(c.op, c.values, spec));
  return (f) => {
    const v = get(f, arg);
    if (v === undefined || Array.isArray(v)) return false;
    for (let i = 0; i < tests.length; i++) if (tests[i](v as string | number | boolean)) return true;
    return false;
  };
}

/** The closure for `field[arg] op values` (values already expanded from lists). */
export function buildCheck(spec: FieldSpec, arg: string | number | undefined, op: string, values: readonly string[]): Pred {
  const get = spec.get;
  if (op === 'exists') return (f) => { const v = get(f, arg); return v !== undefined && !(Array.isArray(v) && v.length === 0); };
  const test = scalarTest(op, values, spec);
  return (f) => {
    const v: FieldValue = get(f, arg);
    if (v === undefined) return false;
    if (Array.isArray(v)) {
      for (const item of v as readonly (string | number)[]) if (test(item)) return true;
      return false;
    }
    return test(v as string | number | boolean);
  };
}
