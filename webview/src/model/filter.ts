/*
 * The events table's filter language, parsed once per edit and compiled to a
 * predicate. Syntax (documented in README.md, "Filtering events"):
 *
 *   kind:open path:*.env -comm:node pid:123 ret:<0 "free text"
 *
 * Terms are ANDed; `-` negates a term; `field:a,b` matches either value;
 * string values match the whole field, case-insensitively, with globs `*` `?`;
 * numeric values take `N`, `<N`, `<=N`, `>N`, `>=N`, `N..M`; a bare or quoted
 * word matches anywhere in the row's text. Errors name the column they are at.
 */
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { eventPackages } from '../../../remote-agent/src/model/packages';
import { closest } from '../../../remote-agent/src/model/closest';
import { ALL_KINDS, GROUP_NAMES, KIND_GROUPS, type KindGroup, resultValue } from './eventText';

/** A syntax error, with the 0-based column and length of the offending text. */
export interface FilterError {
  message: string;
  position: number;
  length: number;
}

/** A compiled filter: `test` is called per event, `text` lazily returns the row's searchable text. */
export interface CompiledFilter {
  readonly source: string;
  /** true when the filter has no terms and matches everything */
  readonly empty: boolean;
  test(e: LensEvent, text: () => string): boolean;
}

export type ParseResult = { ok: true; filter: CompiledFilter } | { ok: false; error: FilterError };

type Getter = (e: LensEvent) => unknown;
type FieldSpec = { type: 'string'; get: Getter; help: string } | { type: 'number'; get: Getter; help: string; unit?: 'ns' } | { type: 'kind'; help: string };

/** The event's source file and every frame's file, each as its full path and its name. */
function sourceFiles(e: LensEvent): string[] {
  const out: string[] = [];
  for (const f of [e.source?.file, ...(e.frames ?? []).map((fr) => fr.file)]) {
    if (!f) continue;
    out.push(f);
    const base = f.slice(Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\')) + 1);
    if (base !== f) out.push(base);
  }
  return out;
}

const has = <K extends string>(e: LensEvent, k: K): unknown => (e as unknown as Record<string, unknown>)[k];

/** Every field a filter can name, with what it reads from an event. */
export const FILTER_FIELDS: Record<string, FieldSpec> = {
  kind: { type: 'kind', help: 'event kind or group (process, file, net, dns, syscall, finding)' },
  pid: { type: 'number', get: (e) => e.pid, help: 'process id' },
  tid: { type: 'number', get: (e) => e.tid, help: 'thread id' },
  ppid: { type: 'number', get: (e) => e.ppid, help: 'parent process id' },
  uid: { type: 'number', get: (e) => e.uid, help: 'user id' },
  comm: { type: 'string', get: (e) => e.comm, help: 'process name' },
  key: { type: 'string', get: (e) => e.key, help: 'process key (pid:start_ns): one process, even when its pid was reused' },
  pkey: { type: 'string', get: (e) => e.pkey, help: 'parent\'s process key' },
  path: { type: 'string', get: (e) => [has(e, 'path'), has(e, 'path2'), e.kind === 'exec' ? e.filename : undefined], help: 'file path (open, fs ops, exec filename, unix sockets)' },
  name: { type: 'string', get: (e) => (e.kind === 'dns' || e.kind === 'syscall' ? e.name : undefined), help: 'DNS name or syscall name' },
  syscall: { type: 'string', get: (e) => (e.kind === 'syscall' ? e.name : has(e, 'syscall')), help: 'syscall name' },
  daddr: { type: 'string', get: (e) => [has(e, 'daddr'), has(e, 'dns')], help: 'remote address (or its DNS name)' },
  saddr: { type: 'string', get: (e) => has(e, 'saddr'), help: 'local address' },
  dport: { type: 'number', get: (e) => has(e, 'dport'), help: 'remote port' },
  sport: { type: 'number', get: (e) => has(e, 'sport'), help: 'local port' },
  dns: { type: 'string', get: (e) => (e.kind === 'dns' ? [e.name, ...e.answers] : has(e, 'dns')), help: 'DNS name or answer' },
  family: { type: 'string', get: (e) => has(e, 'family'), help: 'socket family (AF_INET, AF_INET6, AF_UNIX)' },
  proto: { type: 'string', get: (e) => has(e, 'proto'), help: 'tcp or udp' },
  ret: { type: 'number', get: (e) => { const v = resultValue(e); return Number.isNaN(v) ? undefined : v; }, help: 'return value (exit code for exit)' },
  errno: { type: 'string', get: (e) => has(e, 'errno') ?? has(e, 'error'), help: 'error name, e.g. ENOENT' },
  exit: { type: 'number', get: (e) => (e.kind === 'exit' ? e.exit_code : undefined), help: 'exit code' },
  signal: { type: 'string', get: (e) => has(e, 'signal'), help: 'signal that ended the process' },
  argv: { type: 'string', get: (e) => (e.kind === 'exec' ? e.argv.join(' ') : undefined), help: 'command line of exec' },
  cwd: { type: 'string', get: (e) => has(e, 'cwd'), help: 'working directory of exec' },
  flags: { type: 'string', get: (e) => has(e, 'flags'), help: 'open flags' },
  fd: { type: 'number', get: (e) => has(e, 'fd'), help: 'socket file descriptor' },
  child: { type: 'number', get: (e) => (e.kind === 'fork' ? e.child_pid : undefined), help: 'child pid of fork' },
  bytes: { type: 'number', get: (e) => (e.kind === 'tcp_close' ? e.bytes_sent + e.bytes_received : undefined), help: 'bytes sent + received (tcp_close)' },
  dur: { type: 'number', unit: 'ns', get: (e) => has(e, 'dur_ns'), help: 'syscall duration: 500us, >1ms, 1s (plain numbers are ns)' },
  nr: { type: 'number', get: (e) => has(e, 'nr'), help: 'syscall number' },
  rule: { type: 'string', get: (e) => has(e, 'rule'), help: 'finding rule' },
  priority: { type: 'string', get: (e) => has(e, 'priority'), help: 'finding priority' },
  file: { type: 'string', get: sourceFiles, help: 'source file (full path or name) of the event or of any frame of its stack' },
  line: { type: 'number', get: (e) => e.source?.line, help: 'line of the event\'s source (with file:, the line of that file)' },
  func: { type: 'string', get: (e) => [e.source?.function, ...(e.frames ?? []).map((f) => f.function)], help: 'function of the event\'s source or of any frame' },
  pkg: { type: 'string', get: (e) => eventPackages(e).map((p) => p.name), help: 'package on the stack (node_modules/<name>, site-packages/<name>, a library\'s soname)' },
};

const FIELD_NAMES = Object.keys(FILTER_FIELDS);

/** One `field:value` term for a value taken from an event, quoted when it has spaces or quotes. */
export function filterTerm(field: string, value: string | number): string {
  const v = String(value);
  return /^[^\s",]+$/.test(v) ? `${field}:${v}` : `${field}:"${v.replace(/["\\]/g, '\\$&')}"`;
}

/** The empty filter: matches every event. */
export const MATCH_ALL: CompiledFilter = { source: '', empty: true, test: () => true };

class ParseFailure extends Error {
  constructor(message: string, readonly position: number, readonly length: number) {
    super(message);
  }
}

type Pred = (e: LensEvent, text: () => string) => boolean;

/** Parse and compile a filter; never throws. */
export function parseFilter(source: string): ParseResult {
  try {
    const preds = tokenize(source).map(compileTerm);
    const filter: CompiledFilter = {
      source,
      empty: preds.length === 0,
      test: preds.length === 0 ? () => true : (e, text) => {
        for (const p of preds) if (!p(e, text)) return false;
        return true;
      },
    };
    return { ok: true, filter };
  } catch (err) {
    if (err instanceof ParseFailure) return { ok: false, error: { message: err.message, position: err.position, length: Math.max(1, err.length) } };
    throw err;
  }
}

interface Term {
  negate: boolean;
  /** undefined for free text */
  field?: string;
  value: string;
  /** positions, for error messages */
  start: number;
  fieldPos: number;
  valuePos: number;
  end: number;
}

function readQuoted(src: string, i: number): { value: string; end: number } {
  const open = i;
  let out = '';
  i++;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length) { out += src[i + 1]; i += 2; continue; }
    if (c === '"') return { value: out, end: i + 1 };
    out += c;
    i++;
  }
  throw new ParseFailure(`column ${open + 1}: unterminated quote — add a closing "`, open, src.length - open);
}

function tokenize(src: string): Term[] {
  const terms: Term[] = [];
  let i = 0;
  const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (i < src.length) {
    if (isSpace(src[i])) { i++; continue; }
    const start = i;
    let negate = false;
    if (src[i] === '-') {
      negate = true;
      i++;
      if (i >= src.length || isSpace(src[i])) {
        throw new ParseFailure(`column ${start + 1}: "-" must be followed by a term to exclude, e.g. -comm:node`, start, 1);
      }
    }
    if (src[i] === '"') {
      const q = readQuoted(src, i);
      terms.push({ negate, value: q.value, start, fieldPos: i, valuePos: i, end: q.end });
      i = q.end;
      continue;
    }
    const wordStart = i;
    while (i < src.length && !isSpace(src[i]) && src[i] !== ':' && src[i] !== '"') i++;
    if (src[i] === ':') {
      const field = src.slice(wordStart, i);
      i++;
      const valuePos = i;
      let value: string;
      if (src[i] === '"') {
        const q = readQuoted(src, i);
        value = q.value;
        i = q.end;
      } else {
        while (i < src.length && !isSpace(src[i])) {
          if (src[i] === '"') throw new ParseFailure(`column ${i + 1}: a quote must start the value, e.g. path:"/my dir/*"`, i, 1);
          i++;
        }
        value = src.slice(valuePos, i);
      }
      terms.push({ negate, field, value, start, fieldPos: wordStart, valuePos, end: i });
    } else if (src[i] === '"') {
      throw new ParseFailure(`column ${i + 1}: unexpected quote inside a word — put a space before it or quote the whole word`, i, 1);
    } else {
      terms.push({ negate, value: src.slice(wordStart, i), start, fieldPos: wordStart, valuePos: wordStart, end: i });
    }
  }
  return terms;
}

function globToRegExp(glob: string, anchored: boolean): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(anchored ? `^${body}$` : body, 'is');
}

const isGlob = (s: string) => s.includes('*') || s.includes('?');

/** A case-insensitive whole-value matcher for one string pattern. */
function stringMatcher(pattern: string): (s: string) => boolean {
  if (isGlob(pattern)) {
    const re = globToRegExp(pattern, true);
    return (s) => re.test(s);
  }
  const lower = pattern.toLowerCase();
  return (s) => s.length === lower.length && s.toLowerCase() === lower;
}

function suggestion(word: string, candidates: readonly string[]): string {
  const best = closest(word, candidates);
  return best !== undefined ? ` — did you mean "${best}"?` : '';
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };

function parseNumber(text: string, unit: 'ns' | undefined): number | null {
  const m = unit ? /^(-?\d+(?:\.\d+)?)(ns|us|µs|ms|s)?$/i.exec(text) : /^(-?\d+(?:\.\d+)?)$/.exec(text);
  if (!m) return null;
  const scale = m[2] ? DURATION_UNITS[m[2].toLowerCase()] : 1;
  return Number(m[1]) * scale;
}

function numberMatcher(term: Term, alt: string, altPos: number, spec: { unit?: 'ns' }): (n: number) => boolean {
  const example = spec.unit ? 'e.g. dur:>1ms, dur:100us..2ms' : `e.g. ${term.field}:123, ${term.field}:<0, ${term.field}:>=100 or ${term.field}:10..20`;
  const fail = (): never => {
    throw new ParseFailure(`column ${altPos + 1}: ${term.field} takes a number, got "${alt}" (${example})`, altPos, alt.length);
  };
  const range = /^(.+?)\.\.(.+)$/.exec(alt);
  if (range) {
    const lo = parseNumber(range[1], spec.unit);
    const hi = parseNumber(range[2], spec.unit);
    if (lo === null || hi === null) return fail();
    if (lo > hi) {
      throw new ParseFailure(`column ${altPos + 1}: the range ${alt} is reversed and matches nothing; put the smaller bound first: ${term.field}:${range[2]}..${range[1]}`, altPos, alt.length);
    }
    return (n) => n >= lo && n <= hi;
  }
  if (alt.includes('..')) {
    throw new ParseFailure(`column ${altPos + 1}: the range "${alt}" needs a number on each side of "..", e.g. ${term.field}:${spec.unit ? '100us..2ms' : '10..20'}`, altPos, alt.length);
  }
  const op = /^(<=|>=|<|>|=)?(.*)$/.exec(alt)!;
  const v = parseNumber(op[2], spec.unit);
  if (v === null) return fail();
  switch (op[1]) {
    case '<': return (n) => n < v;
    case '<=': return (n) => n <= v;
    case '>': return (n) => n > v;
    case '>=': return (n) => n >= v;
    default: return (n) => n === v;
  }
}

/** Split `a,b,c` into alternatives with their columns; empty alternatives are errors. */
function alternatives(term: Term): Array<{ text: string; pos: number }> {
  const out: Array<{ text: string; pos: number }> = [];
  let pos = term.valuePos;
  for (const text of term.value.split(',')) {
    if (text === '') throw new ParseFailure(`column ${pos + 1}: empty value in "${term.field}:${term.value}"`, pos, 1);
    out.push({ text, pos });
    pos += text.length + 1;
  }
  return out;
}

function kindMatcher(term: Term): (kind: string) => boolean {
  const kinds = new Set<string>();
  const globs: RegExp[] = [];
  for (const alt of alternatives(term)) {
    const v = alt.text.toLowerCase();
    if (isGlob(v)) { globs.push(globToRegExp(v, true)); continue; }
    if ((GROUP_NAMES as string[]).includes(v)) { for (const k of KIND_GROUPS[v as KindGroup]) kinds.add(k); continue; }
    if (ALL_KINDS.includes(v as never)) { kinds.add(v); continue; }
    throw new ParseFailure(
      `column ${alt.pos + 1}: unknown kind "${alt.text}"${suggestion(v, [...ALL_KINDS, ...GROUP_NAMES])} (kinds: ${ALL_KINDS.join(', ')}; groups: ${GROUP_NAMES.join(', ')})`,
      alt.pos, alt.text.length);
  }
  return (k) => kinds.has(k) || globs.some((g) => g.test(k));
}

function values(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function compileTerm(term: Term): Pred {
  let positive: Pred;
  if (term.field === undefined) {
    if (term.value === '') throw new ParseFailure(`column ${term.start + 1}: empty quotes — put the text to search between them`, term.start, 2);
    const re = isGlob(term.value) ? globToRegExp(term.value, false) : null;
    const lower = term.value.toLowerCase();
    positive = re ? (_e, text) => re.test(text()) : (_e, text) => text().toLowerCase().includes(lower);
  } else {
    const name = term.field.toLowerCase();
    const spec = FILTER_FIELDS[name];
    if (term.field === '') {
      throw new ParseFailure(`column ${term.fieldPos + 1}: missing field name before ":" (fields: ${FIELD_NAMES.join(', ')})`, term.fieldPos, 1);
    }
    if (!spec) {
      throw new ParseFailure(
        `column ${term.fieldPos + 1}: unknown field "${term.field}"${suggestion(name, FIELD_NAMES) || ` (fields: ${FIELD_NAMES.join(', ')}; to search for text containing ":", put it in quotes)`}`,
        term.fieldPos, term.field.length);
    }
    if (term.value === '') {
      throw new ParseFailure(`column ${term.valuePos + 1}: missing value after "${term.field}:" (${spec.help})`, term.fieldPos, term.field.length + 1);
    }
    if (spec.type === 'kind') {
      const m = kindMatcher(term);
      positive = (e) => m(e.kind);
    } else if (spec.type === 'number') {
      const ms = alternatives(term).map((a) => numberMatcher(term, a.text, a.pos, spec));
      positive = (e) => values(spec.get(e)).some((v) => typeof v === 'number' && ms.some((m) => m(v)));
    } else {
      const alts = alternatives(term);
      for (const a of alts) {
        if (/^(<=|>=|<|>)/.test(a.text)) {
          throw new ParseFailure(`column ${a.pos + 1}: ${term.field} is text, so "${a.text}" cannot compare; use a glob like ${term.field}:*part*`, a.pos, a.text.length);
        }
      }
      const ms = alts.map((a) => stringMatcher(a.text));
      positive = (e) => values(spec.get(e)).some((v) => typeof v === 'string' && ms.some((m) => m(v)));
    }
  }
  return term.negate ? (e, text) => !positive(e, text) : positive;
}
