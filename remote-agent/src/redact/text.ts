/*
 * Secrets inside free text — an argument, a script, JSON, a header, a query
 * string — found by their shape rather than by their position in an argv.
 */
import { isSecretName } from './names';
import { BEARER, REDACTED, TOKEN_FORMATS, TOKEN_HINT, URL_CREDENTIALS } from './rules';

/** Characters of a name before `:` or `=` (`--password`, `X-Api-Key`, `db.password`, `api_key`). */
const NAME_CHAR = /[A-Za-z0-9_.-]/;
const SEPARATOR = /[:=]/g;

/** The name written right before the separator at `sep` (`"password"` in JSON included), or ''. */
function nameBefore(s: string, sep: number): string {
  let end = sep;
  while (end > 0 && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  const quote = s[end - 1] === '"' || s[end - 1] === "'" ? s[end - 1] : '';
  if (quote) end--;
  let start = end;
  while (start > 0 && NAME_CHAR.test(s[start - 1])) start--;
  if (quote && s[start - 1] !== quote) return '';
  return s.slice(start, end);
}

/** Where the value starting at `i` ends, and whether it is quoted; undefined for an empty or nested value. */
function valueEnd(s: string, i: number, separator: string): { start: number; end: number } | undefined {
  const q = s[i];
  if (q === '"' || q === "'") {
    let j = i + 1;
    while (j < s.length && s[j] !== q) j += s[j] === '\\' && q === '"' ? 2 : 1;
    return { start: i + 1, end: Math.min(j, s.length) };
  }
  if (q === undefined || q === '{' || q === '[') return undefined; // nested: its own names are checked
  // `Authorization: Basic xyz` runs to the end of the line (or of a JSON-like item); `password=x&user=y` to the next delimiter
  const stop = separator === ':' ? /["'\n,}\]]/ : /[\s&,;"'(){}[\]]/;
  let j = i;
  while (j < s.length && !stop.test(s[j])) j++;
  return j > i ? { start: i, end: j } : undefined;
}

/** Hides the values of secret-named `name=value` / `name: value` / `"name": "value"` pairs. */
function redactNamedValues(s: string): string {
  let out = '';
  let copied = 0;
  SEPARATOR.lastIndex = 0;
  for (let m = SEPARATOR.exec(s); m; m = SEPARATOR.exec(s)) {
    const name = nameBefore(s, m.index);
    if (!/[A-Za-z]/.test(name) || !isSecretName(name)) continue;
    let i = m.index + 1;
    while (s[i] === ' ' || s[i] === '\t') i++;
    const v = valueEnd(s, i, m[0]);
    if (!v) continue;
    out += s.slice(copied, v.start) + REDACTED;
    copied = v.end;
    SEPARATOR.lastIndex = v.end;
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/**
 * Redacts secrets embedded in text: URL credentials, provider token formats,
 * `Bearer TOKEN`, and the values of secret-named pairs (`"password": "x"`,
 * `Authorization: Basic x`, `?access_token=x`, `DB_PASSWORD=x`).
 */
export function redactText(s: string): string {
  // most words have no secret: cheap tests first (this runs for every argument of every exec)
  let out = s.includes('://') ? s.replace(URL_CREDENTIALS, `$1${REDACTED}@`) : s;
  if (TOKEN_HINT.test(out)) for (const re of TOKEN_FORMATS) out = out.replace(re, REDACTED);
  if (/bearer/i.test(out)) out = out.replace(BEARER, `$1${REDACTED}`);
  return /[:=]/.test(out) ? redactNamedValues(out) : out;
}
