/*
 * Falco's condition language, parsed by hand: `and`, `or`, `not`,
 * parentheses, `FIELD OP VALUE` checks, `FIELD exists`, and macro names.
 * Values are bare words or quoted strings; `in`, `intersects` and `pmatch`
 * take a parenthesised list whose items may name lists. Every node keeps its
 * offset in the condition text, so errors point at the token.
 */

/** A parse error at `offset` (of `length` characters) in the condition text. */
export class ConditionError extends Error {
  constructor(message: string, readonly offset: number, readonly length: number) {
    super(message);
  }
}

/** A value in a check: a word or quoted string; `list` marks a bare word that may be a list's name. */
export interface ValueNode { text: string; offset: number; length: number; quoted: boolean }

export type CondNode =
  | { t: 'and' | 'or'; items: CondNode[] }
  | { t: 'not'; item: CondNode }
  | { t: 'check'; field: string; arg?: string; op: string; values: ValueNode[]; list: boolean; offset: number; length: number; opOffset: number }
  | { t: 'macro'; name: string; offset: number; length: number };

/** Comparison operators taking one value. */
export const BINARY_OPS = ['=', '==', '!=', '<', '<=', '>', '>=', 'contains', 'icontains', 'startswith', 'endswith', 'glob', 'regex'] as const;
/** Operators taking a parenthesised list. */
export const LIST_OPS = ['in', 'intersects', 'pmatch'] as const;
/** Operators taking nothing. */
export const UNARY_OPS = ['exists'] as const;
/** Falco operators Runtime Lens does not evaluate (byte buffers). */
export const UNSUPPORTED_OPS = ['bcontains', 'bstartswith', 'iglob'] as const;
const WORD_OPS: readonly string[] = [...BINARY_OPS, ...LIST_OPS, ...UNARY_OPS, ...UNSUPPORTED_OPS].filter((o) => /^[a-z]/.test(o));

interface Token { kind: 'word' | 'string' | 'sym'; text: string; offset: number; length: number }

/* Splits a condition into words, quoted strings and the symbols ( ) , and the comparison signs. */
function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { out.push({ kind: 'sym', text: c, offset: i, length: 1 }); i++; continue; }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') { out.push({ kind: 'sym', text: two, offset: i, length: 2 }); i += 2; continue; }
    if (c === '=' || c === '<' || c === '>') { out.push({ kind: 'sym', text: c, offset: i, length: 1 }); i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c) {
        // \" \' and \\ stand for themselves; any other backslash is kept (regular expressions need theirs)
        if (src[j] === '\\' && (src[j + 1] === c || src[j + 1] === '\\')) { j++; text += src[j]; } else text += src[j];
        j++;
      }
      if (j >= src.length) throw new ConditionError(`unterminated string: expected a closing ${c}`, i, src.length - i);
      out.push({ kind: 'string', text, offset: i, length: j + 1 - i });
      i = j + 1;
      continue;
    }
    let j = i;
    // a word runs to a space, a bracket, a comma, a quote or a comparison sign; [..] after a field name belongs to it
    while (j < src.length && !/[\s(),=<>!"']/.test(src[j])) {
      if (src[j] === '[') { const close = src.indexOf(']', j); if (close < 0) throw new ConditionError("expected ']' to close the field's argument", j, 1); j = close + 1; } else j++;
    }
    if (j === i) throw new ConditionError(`unexpected character '${c}'`, i, 1);
    out.push({ kind: 'word', text: src.slice(i, j), offset: i, length: j - i });
    i = j;
  }
  return out;
}

/** Parses a whole condition; throws ConditionError naming what was expected where. */
export function parseCondition(src: string): CondNode {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const end = () => ({ offset: src.length, length: 0 });
  const where = (t: Token | undefined) => t ?? end();
  const describe = (t: Token | undefined) => (t ? `'${t.text}'` : 'the end of the condition');
  const fail = (what: string, t: Token | undefined): never => { const w = where(t); throw new ConditionError(`expected ${what}, found ${describe(t)}`, w.offset, w.length); };
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text === w;

  function orExpr(): CondNode {
    const items = [andExpr()];
    while (isWord(peek(), 'or')) { pos++; items.push(andExpr()); }
    return items.length === 1 ? items[0] : { t: 'or', items };
  }
  function andExpr(): CondNode {
    const items = [notExpr()];
    while (isWord(peek(), 'and')) { pos++; items.push(notExpr()); }
    return items.length === 1 ? items[0] : { t: 'and', items };
  }
  function notExpr(): CondNode {
    if (isWord(peek(), 'not')) { pos++; return { t: 'not', item: notExpr() }; }
    return primary();
  }
  function primary(): CondNode {
    const t = peek();
    if (t?.kind === 'sym' && t.text === '(') {
      pos++;
      const inner = orExpr();
      const close = peek();
      if (!(close?.kind === 'sym' && close.text === ')')) fail("')' or 'and'/'or'", close);
      pos++;
      return inner;
    }
    if (t?.kind !== 'word' || t.text === 'and' || t.text === 'or') return fail('a field check, a macro name, \'not\' or \'(\'', t);
    pos++;
    const op = peek();
    const opText = op?.kind === 'sym' && op.text !== '(' && op.text !== ')' && op.text !== ',' ? op.text : op?.kind === 'word' && WORD_OPS.includes(op.text) ? op.text : undefined;
    if (!opText) return { t: 'macro', name: t.text, offset: t.offset, length: t.length };
    pos++;
    const { field, arg } = splitField(t);
    const check = { t: 'check' as const, field, arg, op: opText, values: [] as ValueNode[], list: false, offset: t.offset, length: t.length, opOffset: op!.offset };
    if ((UNARY_OPS as readonly string[]).includes(opText)) return check;
    if ((LIST_OPS as readonly string[]).includes(opText)) {
      check.list = true;
      const open = peek();
      if (open?.kind === 'word') { pos++; check.values.push(value(open)); return check; } // a list's name without brackets
      if (!(open?.kind === 'sym' && open.text === '(')) fail(`'(' and a list of values after '${opText}'`, open);
      pos++;
      if (peek()?.kind === 'sym' && peek()!.text === ')') { pos++; return check; }
      for (;;) {
        const v = peek();
        if (v?.kind !== 'word' && v?.kind !== 'string') fail('a value', v);
        pos++;
        check.values.push(value(v!));
        const sep = peek();
        if (sep?.kind === 'sym' && sep.text === ',') { pos++; continue; }
        if (sep?.kind === 'sym' && sep.text === ')') { pos++; break; }
        fail("',' or ')'", sep);
      }
      return check;
    }
    const v = peek();
    if (v?.kind !== 'word' && v?.kind !== 'string') fail(`a value after '${opText}'`, v);
    pos++;
    check.values.push(value(v!));
    return check;
  }

  const tree = toks.length ? orExpr() : fail('a condition', undefined);
  if (pos < toks.length) fail("'and', 'or' or the end of the condition", toks[pos]);
  return tree;
}

function value(t: Token): ValueNode {
  return { text: t.text, offset: t.offset, length: t.length, quoted: t.kind === 'string' };
}

/* `proc.aname[2]` → field proc.aname, arg "2"; `proc.env[PATH]` → arg PATH. */
function splitField(t: Token): { field: string; arg?: string } {
  const b = t.text.indexOf('[');
  if (b < 0) return { field: t.text };
  if (!t.text.endsWith(']')) throw new ConditionError(`expected the field's argument to end with ']'`, t.offset, t.length);
  return { field: t.text.slice(0, b), arg: t.text.slice(b + 1, -1) };
}
