/*
 * How a name (path, argument) is written in one-line texts: as is when it is
 * plain, else in double quotes with `"`, control characters and DEL written
 * as \xNN too. Names arrive already escaped (decode/strings.ts), so
 * unescapeName() of what is between the quotes gives the exact bytes.
 */
export function quoteName(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : quoted(s);
}

/** A name always in double quotes (as strace writes the strings a syscall was passed), escaped as quoteName() does. */
export function quoted(s: string): string {
  // eslint-disable-next-line no-control-regex
  return '"' + s.replace(/["\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')) + '"';
}
