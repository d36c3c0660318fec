/*
 * Rule files → rules that run: YAML items (rule-files.ts), conditions parsed
 * (condition-parser.ts) with macros inlined and lists expanded, each check a
 * closure (check.ts). Every problem names its file, line and column; a rule
 * with an error, or using a field of Falco's that Runtime Lens does not fill,
 * is reported and skipped, and the others still run. Importable by the
 * extension (diagnostics in rule files): no Node-only modules.
 */
import { closest } from '../model/closest';
import { parsePriority, PRIORITIES, type Priority } from '../model/priority';
import { buildAnyOf, buildCheck, CheckError, memo, memoField, type Pred } from './check';
import { BINARY_OPS, ConditionError, LIST_OPS, parseCondition, UNARY_OPS, UNSUPPORTED_OPS, type CondNode } from './condition-parser';
import { DEFAULT_RULES, DEFAULT_RULES_PATH } from './default-rules';
import type { EventFacts } from './event-facts';
import { FALCO_ONLY_CLASSES, FALCO_ONLY_FIELDS, FIELD_NAMES, FIELDS, STACK_FIELDS, type FieldSpec } from './fields';
import { compileOutput } from './output-format';
import type { RuleProblem } from './problems';
import { loadRuleFiles, type Located, type LoadedRules, type MacroItem, type RuleFileText, type RuleItem } from './rule-files';

export type { RuleFileText } from './rule-files';
export type { RuleProblem } from './problems';
export { DEFAULT_RULES_PATH } from './default-rules';

/** A rule as the editor lists it. */
export interface RuleSummary {
  name: string;
  desc: string;
  priority: Priority;
  tags: string[];
  enabled: boolean;
  file: string;
  line: number;
}

/** A rule ready to run. */
export interface CompiledRule extends RuleSummary {
  /** the evt.type values it can match; undefined: any event except the syscall stream's */
  types: ReadonlySet<string> | undefined;
  /** it reads src.* fields: it is judged once the event's stack is known */
  needsStack: boolean;
  match: Pred;
  output(f: EventFacts): string;
}

export interface CompileResult {
  /** every rule that compiled, enabled or not, in file order */
  rules: RuleSummary[];
  /** errors and warnings */
  errors: RuleProblem[];
  /** the enabled rules, ready to run */
  compiled: CompiledRule[];
}

export interface CompileOptions {
  /** put the built-in developer ruleset first (default true) */
  defaults?: boolean;
  /** names of rules not to run */
  disabled?: readonly string[];
}

/** A compiled condition or macro: its predicate, the event types it can match, the Falco-only fields it uses. */
interface Compiled { pred: Pred; types: Set<string> | undefined; unsupported: string[]; needsStack: boolean }

/** A problem inside a condition, at `offset` of its text. */
class AtError extends Error {
  constructor(message: string, readonly offset: number, readonly length: number) { super(message); }
}

/** The parts of a condition (the item's own, then appends) as one text. */
function joined(parts: readonly Located[]): Located {
  if (parts.length === 1) return parts[0];
  const starts: number[] = [];
  let text = '';
  for (const p of parts) { if (text) text += ' '; starts.push(text.length); text += p.text; }
  return {
    text,
    at(offset) {
      let i = starts.length - 1;
      while (i > 0 && starts[i] > offset) i--;
      return parts[i].at(offset - starts[i]);
    },
  };
}

const and = (ps: Pred[]): Pred => (ps.length === 2 ? ((a, b) => (f: EventFacts) => a(f) && b(f))(ps[0], ps[1]) : (f) => { for (const p of ps) if (!p(f)) return false; return true; });
const or = (ps: Pred[]): Pred => (ps.length === 2 ? ((a, b) => (f: EventFacts) => a(f) || b(f))(ps[0], ps[1]) : (f) => { for (const p of ps) if (p(f)) return true; return false; });

class Compiler {
  private readonly macroCache = new Map<string, Compiled | { error: string }>();
  private readonly macroStack: string[] = [];

  constructor(private readonly loaded: LoadedRules, private readonly problems: RuleProblem[]) {}

  /** The items of a list, lists inside it expanded. */
  listItems(name: string, seen: string[] = []): string[] | undefined {
    const l = this.loaded.lists.get(name);
    if (!l) return undefined;
    if (seen.includes(name)) return [];
    const out: string[] = [];
    for (const i of l.items) out.push(...(this.loaded.lists.has(i) ? this.listItems(i, [...seen, name])! : [i]));
    return out;
  }

  macro(m: MacroItem): Compiled | { error: string } {
    const cached = this.macroCache.get(m.name);
    if (cached) return cached;
    if (this.macroStack.includes(m.name)) return { error: `macro '${m.name}' uses itself (${[...this.macroStack, m.name].join(' → ')})` };
    this.macroStack.push(m.name);
    const where = joined(m.condition);
    let result: Compiled | { error: string };
    try {
      result = this.condition(where);
      result = { ...result, pred: memo(result.pred) };
    } catch (e) {
      if (!(e instanceof AtError)) throw e;
      this.report(m.file, where, e, m.name);
      result = { error: `macro '${m.name}' has an error (${m.file}:${where.at(e.offset).line})` };
    }
    this.macroStack.pop();
    this.macroCache.set(m.name, result);
    return result;
  }

  report(file: string, where: Located, e: AtError, item: string, severity: 'error' | 'warning' = 'error'): void {
    const p = where.at(e.offset);
    const q = where.at(e.offset + Math.max(e.length - 1, 0));
    this.problems.push({ file, line: p.line, column: p.column, endLine: q.line, endColumn: q.column + 1, message: e.message, severity, item });
  }

  /** Parses and compiles a condition; throws AtError for the first problem. */
  condition(where: Located): Compiled {
    let tree: CondNode;
    try {
      tree = parseCondition(where.text);
    } catch (e) {
      if (e instanceof ConditionError) throw new AtError(e.message, e.offset, e.length);
      throw e;
    }
    return this.node(tree);
  }

  node(n: CondNode): Compiled {
    switch (n.t) {
      case 'and': case 'or': {
        const parts = n.t === 'or' ? this.mergedOr(n.items) : n.items.map((i) => this.node(i));
        if (parts.length === 1) return parts[0];
        const types = n.t === 'and' ? intersect(parts.map((p) => p.types)) : union(parts.map((p) => p.types));
        return { pred: (n.t === 'and' ? and : or)(parts.map((p) => p.pred)), types, unsupported: parts.flatMap((p) => p.unsupported), needsStack: parts.some((p) => p.needsStack) };
      }
      case 'not': {
        const inner = this.node(n.item);
        const p = inner.pred;
        return { pred: (f) => !p(f), types: undefined, unsupported: inner.unsupported, needsStack: inner.needsStack };
      }
      case 'macro': {
        const m = this.loaded.macros.get(n.name);
        if (!m) {
          if (FIELDS[n.name] || FIELD_NAMES.some((f) => n.name.startsWith(f + '['))) throw new AtError(`expected an operator after the field '${n.name}' (=, !=, in, contains, startswith, exists, …)`, n.offset, n.length);
          const near = closest(n.name, [...this.loaded.macros.keys()]);
          throw new AtError(`unknown macro '${n.name}'${near ? `; did you mean '${near}'?` : ' (a macro must be defined in one of the loaded rule files)'}`, n.offset, n.length);
        }
        const c = this.macro(m);
        if ('error' in c) throw new AtError(c.error, n.offset, n.length);
        return c;
      }
      case 'check': return this.check(n);
    }
  }

  /* The items of an `or`, with neighbouring checks of one single-valued field merged into one closure (buildAnyOf). */
  private mergedOr(items: readonly CondNode[]): Compiled[] {
    const out: Compiled[] = [];
    let run: Extract<CondNode, { t: 'check' }>[] = [];
    const mergeable = (i: CondNode): i is Extract<CondNode, { t: 'check' }> => {
      const spec = i.t === 'check' && i.arg === undefined ? FIELDS[i.field] : undefined;
      return !!spec && (spec.type === 'string' || spec.type === 'number') && i.t === 'check' && i.op !== 'exists' && !(UNSUPPORTED_OPS as readonly string[]).includes(i.op);
    };
    const flush = () => {
      if (run.length > 1) {
        for (const c of run) this.check(c); // each is checked as usual first (errors point at it)
        const name = run[0].field;
        const checks = run.map((c) => ({ op: c.op, values: c.values.flatMap((v) => (c.list && !v.quoted ? this.listItems(v.text) ?? [v.text] : [v.text])) }));
        const types = name === 'evt.type' && checks.every((c) => c.op === '=' || c.op === '==' || c.op === 'in') ? new Set(checks.flatMap((c) => c.values)) : undefined;
        out.push({ pred: buildAnyOf(this.sharedField(name, FIELDS[name]), undefined, checks), types, unsupported: [], needsStack: STACK_FIELDS.has(name) });
      } else if (run.length === 1) out.push(this.check(run[0]));
      run = [];
    };
    for (const i of items) {
      if (mergeable(i) && (run.length === 0 || run[0].field === i.field)) { run.push(i); continue; }
      flush();
      if (mergeable(i)) run.push(i);
      else out.push(this.node(i));
    }
    flush();
    return out;
  }

  check(n: Extract<CondNode, { t: 'check' }>): Compiled {
    const name = n.field;
    const spec = FIELDS[name];
    if (!spec) {
      if (isFalcoOnly(name)) return { pred: () => false, types: undefined, unsupported: [n.arg !== undefined ? `${name}[${n.arg}]` : name], needsStack: false };
      const near = closest(name, FIELD_NAMES);
      throw new AtError(`unknown field '${name}'${near ? `; did you mean '${near}'?` : ` (fields: ${FIELD_NAMES.slice(0, 8).join(', ')}, …; see README "Security rules")`}`, n.offset, n.length);
    }
    if ((UNSUPPORTED_OPS as readonly string[]).includes(n.op)) throw new AtError(`operator '${n.op}' is not supported by Runtime Lens (it compares byte buffers)`, n.opOffset, n.op.length);
    if (![...BINARY_OPS, ...LIST_OPS, ...UNARY_OPS].includes(n.op as never)) throw new AtError(`unknown operator '${n.op}'`, n.opOffset, n.op.length);
    let arg: string | number | undefined;
    if (n.arg !== undefined) {
      if (!spec.arg) throw new AtError(`field '${name}' takes no argument in brackets`, n.offset, n.length);
      arg = spec.arg === 'index' ? Number(n.arg) : n.arg;
      if (spec.arg === 'index' && (!Number.isInteger(arg) || (arg as number) < 0)) throw new AtError(`expected a number in ${name}[N], found '${n.arg}'`, n.offset, n.length);
    }
    const values: string[] = [];
    for (const v of n.values) {
      const items = n.list && !v.quoted ? this.listItems(v.text) : undefined;
      if (items) values.push(...items);
      else values.push(v.text);
    }
    let pred: Pred;
    try {
      pred = buildCheck(arg === undefined ? this.sharedField(name, spec) : spec, arg, n.op, values);
    } catch (e) {
      if (!(e instanceof CheckError)) throw e;
      const v = n.values[0];
      throw new AtError(`${name} ${n.op}: ${e.message}`, v?.offset ?? n.offset, v?.length ?? n.length);
    }
    const types = name === 'evt.type' && (n.op === '=' || n.op === '==' || n.op === 'in') ? new Set(values) : undefined;
    return { pred, types, unsupported: [], needsStack: STACK_FIELDS.has(name) };
  }

  private readonly fields = new Map<string, FieldSpec>();

  /* One getter per field for every check of these rules, its value kept for the event (memoField). */
  private sharedField(name: string, spec: FieldSpec): FieldSpec {
    let shared = this.fields.get(name);
    if (!shared) {
      const get = memoField((f) => spec.get(f, undefined));
      shared = { ...spec, get: (f) => get(f) };
      this.fields.set(name, shared);
    }
    return shared;
  }

  /** A rule, or undefined when it has a problem (reported). */
  rule(r: RuleItem, disabled: ReadonlySet<string>): CompiledRule | undefined {
    const where = joined(r.condition);
    const priority = parsePriority(r.priority);
    if (!priority) {
      const at = r.priorityAt;
      const p = at ? at.at(0) : { line: r.line, column: r.column };
      this.problems.push({ file: r.file, ...p, message: `unknown priority '${r.priority}' of rule '${r.name}'; expected one of ${PRIORITIES.join(', ')}`, severity: 'error', item: r.name });
      return undefined;
    }
    let c: Compiled;
    try {
      c = this.condition(where);
      c = this.withExceptions(r, c);
    } catch (e) {
      if (!(e instanceof AtError)) throw e;
      this.report(r.file, where, e, r.name);
      return undefined;
    }
    if (c.unsupported.length) {
      const fields = [...new Set(c.unsupported)];
      const p = where.at(0);
      this.problems.push({
        file: r.file, ...p, severity: 'warning', item: r.name,
        message: `rule '${r.name}' skipped: it uses ${fields.join(', ')}, which Runtime Lens does not have (Falco fields of containers, Kubernetes, sessions or raw arguments)`,
      });
      return undefined;
    }
    let outputError = false;
    const output = compileOutput(r.output, (f) => {
      const falcoOnly = isFalcoOnly(f.name);
      const near = closest(f.name, FIELD_NAMES);
      const e = new AtError(falcoOnly ? `output field '%${f.name}' is not filled by Runtime Lens; it is shown as <NA>` : `unknown output field '%${f.name}'${near ? `; did you mean '%${near}'?` : ''}`, f.offset, f.length);
      if (r.outputAt) this.report(r.file, r.outputAt, e, r.name, falcoOnly ? 'warning' : 'error');
      else this.problems.push({ file: r.file, line: r.line, column: r.column, message: e.message, severity: falcoOnly ? 'warning' : 'error', item: r.name });
      if (!falcoOnly) outputError = true;
    });
    if (outputError) return undefined;
    return {
      name: r.name, desc: r.desc, priority, tags: r.tags, enabled: r.enabled && !disabled.has(r.name), file: r.file, line: r.line,
      types: c.types, needsStack: c.needsStack, match: c.pred, output,
    };
  }

  /* condition and not (exception 1) and not (exception 2) … */
  private withExceptions(r: RuleItem, c: Compiled): Compiled {
    if (!r.exceptions.length) return c;
    const excs: Pred[] = [];
    let needsStack = c.needsStack;
    const unsupported = [...c.unsupported];
    for (const ex of r.exceptions) {
      const rows: Pred[] = [];
      for (const row of ex.values) {
        if (row.length !== ex.fields.length) throw new AtError(`exception '${ex.name}': a value has ${row.length} items for ${ex.fields.length} fields`, 0, ex.name.length);
        const checks = ex.fields.map((field, i) => {
          const comp = ex.comps[i] ?? '=';
          const v = row[i];
          const values = Array.isArray(v) ? v : (LIST_OPS as readonly string[]).includes(comp) ? this.listItems(v) ?? [v] : [v];
          const b = field.indexOf('[');
          const node = { t: 'check' as const, field: b < 0 ? field : field.slice(0, b), arg: b < 0 ? undefined : field.slice(b + 1, -1), op: comp,
            values: values.map((text) => ({ text, offset: 0, length: ex.name.length, quoted: true })), list: true, offset: 0, length: ex.name.length, opOffset: 0 };
          const cc = this.check(node);
          needsStack ||= cc.needsStack;
          unsupported.push(...cc.unsupported);
          return cc.pred;
        });
        rows.push(checks.length === 1 ? checks[0] : and(checks));
      }
      if (rows.length) excs.push(rows.length === 1 ? rows[0] : or(rows));
    }
    const base = c.pred;
    const anyException = excs.length === 1 ? excs[0] : or(excs);
    return { pred: excs.length ? (f) => base(f) && !anyException(f) : base, types: c.types, unsupported, needsStack };
  }
}

function isFalcoOnly(name: string): boolean {
  return FALCO_ONLY_FIELDS.includes(name) || name.startsWith('evt.arg.') || name.startsWith('evt.rawarg.') || FALCO_ONLY_CLASSES.includes(name.split('.')[0]);
}

function intersect(sets: (Set<string> | undefined)[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (const s of sets) {
    if (!s) continue;
    out = out ? new Set([...out].filter((x) => s.has(x))) : new Set(s);
  }
  return out;
}

function union(sets: (Set<string> | undefined)[]): Set<string> | undefined {
  if (sets.some((s) => !s)) return undefined;
  return new Set(sets.flatMap((s) => [...s!]));
}

/**
 * Compiles rule files (after the built-in developer ruleset unless `defaults: false`): the rules,
 * the problems of every file (errors skip a rule, warnings say what was skipped or ignored), and
 * the enabled rules ready to run.
 */
export function compileRules(files: readonly RuleFileText[], opts: CompileOptions = {}): CompileResult {
  const errors: RuleProblem[] = [];
  const all = opts.defaults === false ? files : [{ path: DEFAULT_RULES_PATH, text: DEFAULT_RULES }, ...files];
  const loaded = loadRuleFiles(all, errors);
  const compiler = new Compiler(loaded, errors);
  const disabled = new Set(opts.disabled ?? []);
  const compiled: CompiledRule[] = [];
  const rules: RuleSummary[] = [];
  for (const r of loaded.rules.values()) {
    const c = compiler.rule(r, disabled);
    if (!c) continue;
    rules.push({ name: c.name, desc: c.desc, priority: c.priority, tags: c.tags, enabled: c.enabled, file: c.file, line: c.line });
    if (c.enabled) compiled.push(c);
  }
  return { rules, errors, compiled };
}
