/*
 * Commands for the remote host's shell: every remote command is POSIX sh run
 * as `/bin/sh -c '…'` (whatever the user's login shell is), each word quoted.
 */

/** One word for sh, single-quoted unless it is plain. */
export function sq(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A script as the one argument ssh gives the login shell. */
export function shScript(script: string): string {
  return `/bin/sh -c ${sq(script)}`;
}
