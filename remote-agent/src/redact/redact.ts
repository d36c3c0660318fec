/*
 * Secret redaction for anything the agent prints or sends and the extension
 * writes: command lines (argv, shell strings inside them, typed command lines)
 * and environment values. On by default; `--no-redact` / `runtimeLens.redact:
 * false` turns it off. A hidden value becomes `***`; the option or key stays, so
 * the event still says what was passed. The rules are data in rules.ts.
 */
import { isSecretName } from './names';
import { PROGRAM_RULES, REDACTED, SAFE_ENV_NAMES, type ProgramRule } from './rules';
import { shellTokens, type ShellToken } from './shell-words';
import { redactText } from './text';

export { REDACTED, SAFE_ENV_NAMES } from './rules';
export { redactText } from './text';

/** Shell strings nested deeper than this (`sh -c "ssh h 'sh -c …'"`) get the text rules only. */
const MAX_SHELL_DEPTH = 4;

const RULES = new Map<string, ProgramRule>();
for (const rule of PROGRAM_RULES) for (const p of rule.programs) RULES.set(p, rule);
/** `docker` for `docker login`: a word that starts a program whose rule begins at a subcommand */
const HEADS = new Set([...RULES.keys()].filter((p) => p.includes(' ')).map((p) => p.slice(0, p.indexOf(' '))));

/** The rule key a word names (`/usr/bin/mysql`, `mysql8.0` → `mysql`), if it names a program with rules. */
function programOf(word: string): string | undefined {
  if (word.startsWith('-')) return undefined;
  const base = word.slice(word.lastIndexOf('/') + 1).toLowerCase().replace(/\.exe$/, '');
  if (RULES.has(base) || HEADS.has(base)) return base;
  const unversioned = base.replace(/[-.]?\d+(\.\d+)*$/, '');
  return unversioned && (RULES.has(unversioned) || HEADS.has(unversioned)) ? unversioned : undefined;
}

/** What happens to the word after an option. */
type Hide = 'always' | 'unless-option' | { separator: string };

/** `user:password` → `user:***`; a value without the separator (a prompt follows) stays. */
function hideUserinfo(value: string, separator: string): string {
  const i = value.indexOf(separator);
  return i < 0 ? value : value.slice(0, i + 1) + REDACTED;
}

/** `-pVALUE` / `--opt=VALUE` with the value given to `hide`, or the bare option's treatment of the next word. */
function programOption(rule: ProgramRule, arg: string): { word: string; next?: Hide } | undefined {
  const attached = (opt: string): string | undefined => {
    if (opt.startsWith('-') && !opt.startsWith('--') && opt.length === 2 && arg.length > 2 && arg.startsWith(opt)) return arg.slice(2);
    if (arg.startsWith(opt + '=')) return arg.slice(opt.length + 1);
    return undefined;
  };
  const glue = (opt: string) => (arg.startsWith(opt + '=') ? `${opt}=` : opt);
  for (const [opts, next] of [[rule.secret, 'always'], [rule.optionalValue, 'unless-option']] as const) {
    for (const opt of opts ?? []) {
      if (arg === opt) return { word: arg, next };
      if (attached(opt) !== undefined) return { word: glue(opt) + REDACTED };
    }
  }
  for (const opt of rule.attachedOnly ?? []) {
    if (arg !== opt && attached(opt) !== undefined) return { word: glue(opt) + REDACTED };
  }
  const ui = rule.userinfo;
  for (const opt of ui?.options ?? []) {
    if (arg === opt) return { word: arg, next: { separator: ui!.separator } };
    const value = attached(opt);
    if (value !== undefined) return { word: glue(opt) + hideUserinfo(value, ui!.separator) };
  }
  return undefined;
}

/** Options and assignments whose name says they hold a secret; anything else through the text rules. */
function genericWord(arg: string, depth: number): { word: string; next?: Hide } {
  const opt = /^(--?[A-Za-z0-9][\w.-]*)=(.*)$/s.exec(arg);
  if (opt) return { word: `${opt[1]}=${isSecretName(opt[1]) ? REDACTED : redactString(opt[2], depth)}` };
  if (/^--?[A-Za-z][\w.-]*$/.test(arg)) return isSecretName(arg) ? { word: arg, next: 'always' } : { word: arg };
  const kv = /^([A-Za-z_][\w.-]*)=(.*)$/s.exec(arg);
  if (kv && isSecretName(kv[1])) return { word: `${kv[1]}=${REDACTED}` };
  return { word: redactString(arg, depth) };
}

function redactWords(argv: readonly string[], depth: number): string[] {
  const out: string[] = [];
  let program: string | undefined;
  let next: Hide | undefined;
  /** a wrapper's operand (sshpass's command) starts a new program */
  let operandEndsProgram = false;
  for (const arg of argv) {
    if (next !== undefined) {
      const hide = next;
      next = undefined;
      if (typeof hide === 'object') { out.push(hideUserinfo(arg, hide.separator)); continue; }
      if (hide === 'always' || !arg.startsWith('-') || arg === '-') { out.push(REDACTED); continue; }
    }
    const named = programOf(arg);
    const sub = program && !arg.startsWith('-') ? `${program} ${arg}` : undefined;
    if (named || (sub && RULES.has(sub)) || (operandEndsProgram && !arg.startsWith('-'))) {
      program = sub && RULES.has(sub) ? sub : named;
      operandEndsProgram = program !== undefined && RULES.get(program)?.wrapper === true;
      out.push(redactString(arg, depth));
      continue;
    }
    const rule = program ? RULES.get(program) : undefined;
    const r = (rule && programOption(rule, arg)) || genericWord(arg, depth);
    out.push(r.word);
    next = r.next;
  }
  return out;
}

/**
 * The string with one word's value changed from `t.text` to `after`: the
 * changed characters replaced where they stand (quotes kept as written).
 */
function rewriteWord(t: ShellToken, after: string): { start: number; end: number; text: string } {
  const before = t.text;
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const middle = after.slice(head, after.length - tail);
  if (head === before.length - tail) { // nothing removed, only added
    const at = head < before.length ? t.at[head] : t.end;
    return { start: at, end: at, text: middle };
  }
  return { start: t.at[head], end: t.at[before.length - tail - 1] + 1, text: middle };
}

/** Redacts each command of a shell string as an argv and puts the changed words back in place. */
function redactShellString(s: string, tokens: ShellToken[], depth: number): string {
  const changes: Array<{ start: number; end: number; text: string }> = [];
  let command: ShellToken[] = [];
  const flush = () => {
    const words = redactWords(command.map((t) => t.text), depth);
    words.forEach((w, i) => {
      const t = command[i];
      if (w !== t.text) changes.push(rewriteWord(t, w));
    });
    command = [];
  };
  for (const t of tokens) {
    if (t.operator) flush();
    else command.push(t);
  }
  flush();
  let out = s;
  for (const c of changes.reverse()) out = out.slice(0, c.start) + c.text + out.slice(c.end);
  return out;
}

/** One argument or command line: as a shell string when it holds several words, then the text rules. */
function redactString(s: string, depth: number): string {
  let out = s;
  if (depth < MAX_SHELL_DEPTH && /\s/.test(s)) {
    const tokens = shellTokens(s);
    if (tokens.filter((t) => !t.operator).length > 1) out = redactShellString(s, tokens, depth + 1);
  }
  return redactText(out);
}

/**
 * Redacts an argv (one output word per input word): secret-named options and
 * assignments, the password options of known programs (rules.ts), shell strings
 * inside arguments word by word, and secrets in text (URL credentials, tokens,
 * headers, JSON values).
 */
export function redactArgv(argv: readonly string[]): string[] {
  return redactWords(argv, 0);
}

/** Redacts a command line as typed or as shown (`mysql -p x`, `sh -c '…'`, an argv joined by spaces). */
export function redactCommandLine(line: string): string {
  return redactString(line, 0);
}

/** Redacts every environment value (names stay: they say what was configured, values may be secrets). */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(env)) out[k] = REDACTED;
  return out;
}

/**
 * An exec's environment (NAME=value strings) as an object: every name; with `redact`, the value only
 * of the names in SAFE_ENV_NAMES, the others REDACTED.
 */
export function execEnv(strings: readonly string[], redact: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of strings) {
    const eq = s.indexOf('=');
    const name = eq < 0 ? s : s.slice(0, eq);
    if (!name) continue;
    out[name] = !redact || SAFE_ENV_NAMES.includes(name) ? (eq < 0 ? '' : s.slice(eq + 1)) : REDACTED;
  }
  return out;
}
