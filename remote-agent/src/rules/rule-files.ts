/*
 * Falco rule files read with the `yaml` package: a list of `rule`, `macro`
 * and `list` items, each kept with where it is (file, line, column) and
 * where its condition's text starts, so errors point into the file. Items
 * of later files append to or override items of earlier ones as in Falco
 * (`append: true`, `override: {key: append|replace}`).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { RuleProblem } from './problems';

/** A rule file's text, and the path its problems name. */
export interface RuleFileText { path: string; text: string }

/** A text from a rule file and how to find an offset of it in the file. */
export interface Located { text: string; at(offset: number): { line: number; column: number } }

export interface ListItem { kind: 'list'; name: string; items: string[]; file: string; line: number; column: number }
export interface MacroItem { kind: 'macro'; name: string; condition: Located[]; file: string; line: number; column: number }
/** An exception: the rule does not fire when, for one of `values`, every field compares true with its value (a value of `in` may be a list). */
export interface ExceptionItem { name: string; fields: string[]; comps: string[]; values: (string | string[])[][]; where: Located }
export interface RuleItem {
  kind: 'rule'; name: string; file: string; line: number; column: number;
  /** the condition's parts: the rule's own, then what appends added ("A and B" is the parts joined by spaces) */
  condition: Located[];
  desc: string; output: string; outputAt?: Located; priority: string; priorityAt?: Located; tags: string[]; enabled: boolean;
  exceptions: ExceptionItem[];
}

/** What the files define, in definition order; problems of their shape. */
export interface LoadedRules { lists: Map<string, ListItem>; macros: Map<string, MacroItem>; rules: Map<string, RuleItem> }

const RULE_KEYS = ['rule', 'desc', 'condition', 'output', 'priority', 'tags', 'enabled', 'exceptions', 'source', 'append', 'override',
  'warn_evttypes', 'skip-if-unknown-filter', 'required_engine_version', 'capture', 'capture_duration'];
const OVERRIDABLE = ['condition', 'output', 'desc', 'priority', 'tags', 'enabled', 'exceptions', 'items'];

/**
 * How a scalar's value maps back to the file: folding and indentation only change spaces, so the
 * nth non-space character of the value is the nth non-space character of its source text.
 */
function locate(node: Scalar, value: string, src: string, lines: LineCounter): Located {
  const [start, end] = node.range ?? [0, 0, 0];
  let from = start;
  if (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL') from = src.indexOf('\n', start) + 1 || end;
  else if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') from = start + 1;
  return {
    text: value,
    at(offset: number) {
      let n = 0;
      for (let i = 0; i < Math.min(offset, value.length); i++) if (!/\s/.test(value[i])) n++;
      // past the last token (the end of the condition): just after the last non-space character
      const atEnd = !/\S/.test(value.slice(offset));
      if (atEnd && n > 0) n--;
      let i = from;
      for (; i < end; i++) {
        if (/\s/.test(src[i])) continue;
        if (n === 0) break;
        n--;
      }
      const p = lines.linePos(Math.min(i, Math.max(end, from)));
      return { line: p.line, column: p.col + (atEnd && offset > 0 ? 1 : 0) };
    },
  };
}

/** Reads rule files into lists, macros and rules; shape problems are pushed to `problems`. */
export function loadRuleFiles(files: readonly RuleFileText[], problems: RuleProblem[]): LoadedRules {
  const out: LoadedRules = { lists: new Map(), macros: new Map(), rules: new Map() };
  for (const f of files) loadOne(f, out, problems);
  return out;
}

function loadOne(file: RuleFileText, out: LoadedRules, problems: RuleProblem[]): void {
  const lines = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const pos = (n: Node | undefined) => { const p = lines.linePos(n?.range?.[0] ?? 0); return { line: p.line, column: p.col }; };
  const problem = (n: Node | undefined, message: string, severity: 'error' | 'warning' = 'error', item?: string) => {
    const p = pos(n);
    problems.push({ file: file.path, ...p, message, severity, ...(item ? { item } : {}) });
  };
  for (const e of doc.errors) {
    const p = lines.linePos(e.pos[0]);
    problems.push({ file: file.path, line: p.line, column: p.col, message: `YAML: ${e.message.split('\n')[0]}`, severity: 'error' });
  }
  if (doc.errors.length) return;
  if (doc.contents === null) return;
  if (!isSeq(doc.contents)) { problem(doc.contents, 'a rules file is a YAML list of rule, macro and list items (- rule: …)'); return; }
  for (const node of doc.contents.items) {
    if (!isMap(node)) { problem(node as Node, 'expected a rule, macro or list item (a mapping such as "- rule: NAME")'); continue; }
    const get = (k: string) => node.get(k, true) as Node | undefined;
    const str = (k: string, item: string): string | undefined => {
      const v = get(k);
      if (v === undefined) return undefined;
      if (!isScalar(v) || typeof v.value === 'object') { problem(v, `'${k}' of '${item}' must be a string`, 'error', item); return undefined; }
      return String(v.value);
    };
    const located = (k: string): Located | undefined => {
      const v = get(k);
      if (!v || !isScalar(v) || typeof v.value === 'object') return undefined;
      return locate(v, String(v.value), file.text, lines);
    };
    const { line, column } = pos(node);
    const at = { file: file.path, line, column };
    if (node.has('required_engine_version') || node.has('required_plugin_versions')) continue;
    const kindKey = ['rule', 'macro', 'list'].find((k) => node.has(k));
    if (!kindKey) { problem(node, 'expected "rule", "macro" or "list" as the item\'s first key'); continue; }
    const name = str(kindKey, kindKey);
    if (name === undefined) continue;
    const mode = overrideMode(node, name, problem);
    if (mode === undefined) continue;
    if (kindKey === 'list') {
      const itemsNode = get('items');
      if (!isSeq(itemsNode)) { problem(itemsNode ?? node, `list '${name}' needs 'items:' with a YAML list of values`, 'error', name); continue; }
      const items = itemsNode.items.map((i) => (isScalar(i) ? String(i.value) : ''));
      const old = out.lists.get(name);
      if (mode.keys.items === 'append' && old) old.items.push(...items);
      else if (mode.keys.items === 'append') problem(node, `list '${name}' appends to a list no earlier file defines`, 'error', name);
      else out.lists.set(name, { kind: 'list', name, items, ...at });
      continue;
    }
    if (kindKey === 'macro') {
      const cond = located('condition');
      if (!cond) { problem(get('condition') ?? node, `macro '${name}' needs a 'condition:' string`, 'error', name); continue; }
      const old = out.macros.get(name);
      if (mode.keys.condition === 'append' && old) old.condition.push(cond);
      else if (mode.keys.condition === 'append') problem(node, `macro '${name}' appends to a macro no earlier file defines`, 'error', name);
      else out.macros.set(name, { kind: 'macro', name, condition: [cond], ...at });
      continue;
    }
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!RULE_KEYS.includes(k)) problem(pair.key as Node, `unknown key '${k}' in rule '${name}' (ignored; known: ${RULE_KEYS.slice(1, 9).join(', ')})`, 'warning', name);
    }
    const source = str('source', name);
    if (source !== undefined && source !== 'syscall') { problem(get('source'), `rule '${name}' skipped: its source '${source}' is not syscall events (Runtime Lens judges syscall events only)`, 'warning', name); continue; }
    const exceptions = readExceptions(get('exceptions'), name, file, lines, problem);
    const tagsNode = get('tags');
    const tags = isSeq(tagsNode) ? tagsNode.items.map((t) => (isScalar(t) ? String(t.value) : '')) : [];
    if (tagsNode && !isSeq(tagsNode)) problem(tagsNode, `'tags' of rule '${name}' must be a YAML list`, 'error', name);
    const enabledNode = get('enabled');
    const enabled = enabledNode === undefined ? undefined : isScalar(enabledNode) && typeof enabledNode.value === 'boolean' ? enabledNode.value : (problem(enabledNode, `'enabled' of rule '${name}' must be true or false`, 'error', name), undefined);
    const old = out.rules.get(name);
    const given = { condition: located('condition'), output: str('output', name), outputAt: located('output'), desc: str('desc', name), priority: str('priority', name), priorityAt: located('priority') };
    if (mode.any) {
      if (!old) { problem(node, `rule '${name}' appends to or overrides a rule no earlier file defines`, 'error', name); continue; }
      if (given.condition) { if (mode.keys.condition === 'append') old.condition.push(given.condition); else old.condition = [given.condition]; }
      if (given.output !== undefined) { old.output = mode.keys.output === 'append' ? `${old.output} ${given.output}` : given.output; old.outputAt = given.outputAt; }
      if (given.desc !== undefined) old.desc = mode.keys.desc === 'append' ? `${old.desc} ${given.desc}` : given.desc;
      if (given.priority !== undefined) { old.priority = given.priority; old.priorityAt = given.priorityAt; }
      if (tagsNode) old.tags = mode.keys.tags === 'append' ? [...old.tags, ...tags] : tags;
      if (exceptions.length) old.exceptions = mode.keys.exceptions === 'replace' ? exceptions : [...old.exceptions, ...exceptions];
      if (enabled !== undefined) old.enabled = enabled;
      continue;
    }
    // an item with only `rule` and `enabled` switches an earlier rule on or off (Falco 0.28+)
    if (old && enabled !== undefined && !given.condition && given.output === undefined) { old.enabled = enabled; continue; }
    const missing = (['condition', 'output', 'priority', 'desc'] as const).filter((k) => given[k] === undefined);
    if (missing.length) { problem(node, `rule '${name}' needs ${missing.map((k) => `'${k}:'`).join(', ')}`, 'error', name); continue; }
    out.rules.delete(name); // a redefinition takes the later place
    out.rules.set(name, {
      kind: 'rule', name, ...at, condition: [given.condition!], desc: given.desc!, output: given.output!, outputAt: given.outputAt,
      priority: given.priority!, priorityAt: given.priorityAt, tags, enabled: enabled ?? true, exceptions,
    });
  }
}

/** Which keys an item appends to or replaces in an earlier item of the same name (any: it does so at all). */
interface Mode { any: boolean; keys: Partial<Record<string, 'append' | 'replace'>> }

/* `append: true` (Falco's older form) or `override: {condition: append, …}`. */
function overrideMode(node: YAMLMap, name: string, problem: (n: Node | undefined, m: string, s?: 'error' | 'warning', item?: string) => void): Mode | undefined {
  const mode: Mode = { any: false, keys: {} };
  const append = node.get('append', true) as Node | undefined;
  if (append !== undefined) {
    if (!isScalar(append) || typeof append.value !== 'boolean') { problem(append, `'append' of '${name}' must be true or false`, 'error', name); return undefined; }
    if (append.value) { mode.any = true; for (const k of OVERRIDABLE) mode.keys[k] = 'append'; }
  }
  const ov = node.get('override', true) as Node | undefined;
  if (ov !== undefined) {
    if (!isMap(ov)) { problem(ov, `'override' of '${name}' must map keys to append or replace`, 'error', name); return undefined; }
    for (const pair of ov.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      const v = isScalar(pair.value) ? String(pair.value.value) : '';
      if (!OVERRIDABLE.includes(k)) { problem(pair.key as Node, `'override' of '${name}': '${k}' cannot be overridden (${OVERRIDABLE.join(', ')} can)`, 'error', name); return undefined; }
      if (v !== 'append' && v !== 'replace') { problem(pair.value as Node, `'override' of '${name}': expected append or replace for '${k}', found '${v}'`, 'error', name); return undefined; }
      mode.keys[k] = v;
      mode.any = true;
    }
  }
  return mode;
}

function readExceptions(n: Node | undefined, rule: string, file: RuleFileText, lines: LineCounter,
  problem: (n: Node | undefined, m: string, s?: 'error' | 'warning', item?: string) => void): ExceptionItem[] {
  if (n === undefined) return [];
  if (!isSeq(n)) { problem(n, `'exceptions' of rule '${rule}' must be a YAML list`, 'error', rule); return []; }
  const out: ExceptionItem[] = [];
  for (const e of n.items) {
    if (!isMap(e)) { problem(e as Node, `an exception of rule '${rule}' must be a mapping with name, fields, comps, values`, 'error', rule); continue; }
    const nameNode = e.get('name', true) as Node | undefined;
    const name = isScalar(nameNode) ? String(nameNode.value) : '';
    const asList = (k: string): string[] | undefined => {
      const v = e.get(k, true) as Node | undefined;
      if (v === undefined) return undefined;
      if (isScalar(v)) return [String(v.value)];
      if (isSeq(v)) return v.items.map((i) => (isScalar(i) ? String(i.value) : ''));
      return undefined;
    };
    const fields = asList('fields');
    if (!fields?.length) { problem(e, `exception '${name}' of rule '${rule}' needs 'fields:'`, 'error', rule); continue; }
    const single = isScalar(e.get('fields', true) as Node);
    const comps = asList('comps') ?? fields.map(() => (single ? 'in' : '='));
    const valuesNode = e.get('values', true) as Node | undefined;
    const values: (string | string[])[][] = [];
    const scalarOrList = (i: unknown): string | string[] => (isScalar(i) ? String(i.value) : isSeq(i) ? i.items.map((x) => (isScalar(x) ? String(x.value) : '')) : '');
    if (isSeq(valuesNode)) {
      for (const v of valuesNode.items) {
        if (single) values.push([scalarOrList(v)]);
        else if (isSeq(v)) values.push(v.items.map(scalarOrList));
        else problem(v as Node, `exception '${name}' of rule '${rule}': each value must be a list of ${fields.length} values (one per field)`, 'error', rule);
      }
    }
    const where = locate((isScalar(nameNode) ? nameNode : { range: e.range, type: 'PLAIN' }) as Scalar, name, file.text, lines);
    out.push({ name, fields, comps, values, where });
  }
  return out;
}
