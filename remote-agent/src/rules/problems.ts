/*
 * A problem in a rule file, where it is and what to do: the compiler's
 * output, the CLI's `FILE:LINE:COLUMN: error: …` lines, the session's
 * start result, and the editor's diagnostics in rule files.
 */

/** Where a rule problem is (1-based line and column) and what was wrong. */
export interface RuleProblem {
  file: string;
  line: number;
  column: number;
  /** the end of the bad token, when known (1-based line, exclusive 1-based column) */
  endLine?: number;
  endColumn?: number;
  message: string;
  /** an error skips the rule (or the file); a warning says what was ignored or skipped on purpose */
  severity: 'error' | 'warning';
  /** the rule, macro or list the problem is in */
  item?: string;
}

/** One line per problem, as compilers print them: `FILE:LINE:COLUMN: error: MESSAGE`. */
export function problemLine(p: RuleProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.message}`;
}
