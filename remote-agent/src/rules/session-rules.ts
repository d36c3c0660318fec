/*
 * The rules of one session (CLI `--rules`, RPC session/start `rules`): rule
 * files read from disk, compiled after the developer ruleset unless that is
 * turned off. A file that cannot be read is a problem of that file, like a
 * rule that does not compile; the rules that do compile still run.
 */
import { readFileSync } from 'node:fs';
import { compileRules, type CompileResult, type RuleFileText } from './compile';
import type { RuleProblem } from './problems';

/** What the session asked for. */
export interface RulesRequest {
  /** rule files, in order (later ones may append to or override earlier ones) */
  files?: readonly string[];
  /** names of rules not to run */
  disabled?: readonly string[];
  /** the developer ruleset first (default true) */
  defaults?: boolean;
}

/** Reads and compiles a session's rule files. */
export function sessionRules(req: RulesRequest = {}): CompileResult {
  const texts: RuleFileText[] = [];
  const unreadable: RuleProblem[] = [];
  for (const path of req.files ?? []) {
    try {
      texts.push({ path, text: readFileSync(path, 'utf8') });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      unreadable.push({ file: path, line: 1, column: 1, severity: 'error', message: `cannot read the rules file: ${err.code === 'ENOENT' ? 'no such file' : err.message}` });
    }
  }
  const result = compileRules(texts, { defaults: req.defaults, disabled: req.disabled });
  return { ...result, errors: [...unreadable, ...result.errors] };
}
