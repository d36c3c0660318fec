/*
 * Secret redaction for anything the agent prints or sends: command lines and
 * environment values. On by default; `--no-redact` / `redact: false` turns it off.
 * A redacted value becomes `***`; the key stays, so the event still says what was passed.
 */

export const REDACTED = '***';

/** Names that hold secrets: PASSWORD, api_key, GITHUB_TOKEN, client-secret, AUTH, credentials, private key, cookies. */
const SECRET_KEY = /(pass(word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|auth(?!or)|cookie|session[-_]?id|signature)/i;
/** Header names whose values are secrets. */
const SECRET_HEADER = /^\s*(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token|x-amz-security-token)\s*:/i;
/** AWS access key ids and similar provider key formats that are secret wherever they appear. */
const KEY_PATTERNS: RegExp[] = [
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g,         // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,      // GitHub tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g,    // Slack tokens
  /\bsk-[A-Za-z0-9_-]{20,}\b/g,           // API secret keys in the sk-… form
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, // JWTs
];
/** user:password@ in URLs. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^/\s@]+@/gi;

/** Whether an option or variable name looks like it holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Redacts secrets embedded in free text (key formats, URL credentials). */
export function redactText(s: string): string {
  let out = s.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  for (const re of KEY_PATTERNS) out = out.replace(re, REDACTED);
  return out;
}

/**
 * Redacts an argv: `--password=x`, `--token x` (the next argument), `-H 'Authorization: Bearer x'`,
 * `KEY=VALUE` for secret-looking keys, provider key formats and URL credentials anywhere.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      hideNext = false;
      out.push(REDACTED);
      continue;
    }
    const header = SECRET_HEADER.exec(arg);
    if (header) {
      out.push(`${header[0]} ${REDACTED}`);
      continue;
    }
    const opt = /^(--?[A-Za-z0-9][\w.-]*)(=)(.*)$/s.exec(arg);
    if (opt) {
      out.push(isSecretKey(opt[1]) ? `${opt[1]}=${REDACTED}` : redactText(arg));
      continue;
    }
    if (/^--?[A-Za-z][\w.-]*$/.test(arg) && isSecretKey(arg)) {
      out.push(arg);
      hideNext = true;
      continue;
    }
    const kv = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s.exec(arg);
    if (kv && isSecretKey(kv[1])) {
      out.push(`${kv[1]}=${REDACTED}`);
      continue;
    }
    out.push(redactText(arg));
  }
  return out;
}

/** Redacts every environment value (names stay: they say what was configured, values may be secrets). */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(env)) out[k] = REDACTED;
  return out;
}
