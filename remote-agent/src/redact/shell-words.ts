/*
 * Splits a shell command string (`sh -c '…'`, `ssh host '…'`, a typed command
 * line) into words and operators the way a POSIX shell would, keeping where
 * each word sits in the string, so redaction can replace one word and leave
 * the rest of the string as it was.
 */

/** One word (quotes removed) or operator, and its place in the string. */
export interface ShellToken {
  /** the word's value after quote removal, or the operator text */
  text: string;
  start: number;
  end: number;
  /** `;`, `&&`, `|`, `(`, a newline, `$(`, a backquote, a redirection… */
  operator: boolean;
  /** where each character of `text` stands in the string (quotes and escapes are not in `text`) */
  at: number[];
}

const OPERATORS = ['&&', '||', ';;', '|&', '>>', '<<', '<&', '>&', '<>', '>|', '$(', ';', '&', '|', '(', ')', '<', '>', '`', '\n'];
const BLANK = /[ \t\r]/;
const DOUBLE_QUOTE_ESCAPES = '"\\$`\n';

function operatorAt(s: string, i: number): string | undefined {
  for (const op of OPERATORS) if (s.startsWith(op, i)) return op;
  return undefined;
}

/** The words and operators of `s`; an unterminated quote runs to the end. */
export function shellTokens(s: string): ShellToken[] {
  const out: ShellToken[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (BLANK.test(c)) { i++; continue; }
    if (c === '#') { // a comment runs to the end of the line
      while (i < s.length && s[i] !== '\n') i++;
      continue;
    }
    const op = operatorAt(s, i);
    if (op) {
      out.push({ text: op, start: i, end: i + op.length, operator: true, at: [] });
      i += op.length;
      continue;
    }
    const start = i;
    let text = '';
    const at: number[] = [];
    const add = (j: number) => { text += s[j]; at.push(j); };
    while (i < s.length && !BLANK.test(s[i]) && !operatorAt(s, i)) {
      const ch = s[i];
      if (ch === '\\') {
        if (i + 1 < s.length && s[i + 1] !== '\n') add(i + 1);
        i += 2;
      } else if (ch === "'" || (ch === '$' && s[i + 1] === "'")) {
        const open = ch === '$' ? i + 1 : i;
        const close = s.indexOf("'", open + 1);
        const end = close < 0 ? s.length : close;
        for (let j = open + 1; j < end; j++) add(j);
        i = end + 1;
      } else if (ch === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length && DOUBLE_QUOTE_ESCAPES.includes(s[i + 1])) { add(i + 1); i += 2; } else add(i++);
        }
        i++;
      } else {
        add(i++);
      }
    }
    out.push({ text, start, end: Math.min(i, s.length), operator: false, at });
  }
  return out;
}
