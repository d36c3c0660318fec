/*
 * Whether a name — an option, a variable, a JSON key, a header, a query
 * parameter — holds a secret, by its words (see SECRET_NAME_ENDINGS).
 */
import { NOT_SECRET_NAMES, NOT_SECRET_WORDS, SECRET_NAME_ENDINGS, SWITCH_FIRST_WORDS } from './rules';

/** `--client-secret` → client, secret; `DBPassword` → db, password; `PGPASSWORD` → pgpassword. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const endsSecret = (word: string) => SECRET_NAME_ENDINGS.some((e) => word.endsWith(e));

/** The name holds a secret (its value should be hidden), switches (`--no-password`) included. */
function secretWords(name: string): string[] | undefined {
  const words = nameWords(name);
  if (words.length === 0 || NOT_SECRET_NAMES.includes(words.join(''))) return undefined;
  const last = words[words.length - 1].replace(/\d+$/, '');
  if (NOT_SECRET_WORDS.includes(last)) return undefined;
  const pair = words.length > 1 ? words[words.length - 2] + last : '';
  return endsSecret(last) || (pair !== '' && endsSecret(pair)) ? words : undefined;
}

/** Answers for names seen recently (option names repeat across the execs of a build). */
const known = new Map<string, boolean>();
const KNOWN_MAX = 4096;

/** A name whose value is a secret: `PASSWORD`, `api_key`, `--client-secret`, `Authorization`. */
export function isSecretName(name: string): boolean {
  let secret = known.get(name);
  if (secret === undefined) {
    const words = secretWords(name);
    secret = words !== undefined && !(words.length > 1 && SWITCH_FIRST_WORDS.includes(words[0]));
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(name, secret);
  }
  return secret;
}
