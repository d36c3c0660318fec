/*
 * Whether a file that is about to run as root could have been replaced by a
 * user other than root: the file, or any folder above it, owned by one or
 * writable by one. The agent (as root) checks the probe and the symbolizer with it, the
 * extension the agent bundle it starts through sudo.
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

const STICKY = 0o1000;

/** Why `st` (of `p`, a folder when `dir`) lets a user other than root change what it holds, or undefined. */
function userWritable(p: string, st: Stats, dir: boolean): string | undefined {
  if (st.uid !== 0) return `${p} is owned by uid ${st.uid}`;
  if (st.mode & 0o020 && st.gid !== 0) return `${p} is writable by its group (gid ${st.gid})`;
  // a sticky folder (/tmp) lets others add entries, but not replace root's
  if (st.mode & 0o002 && !(dir && st.mode & STICKY)) return `${p} is writable by every user`;
  return undefined;
}

/**
 * Why a user other than root could replace `file` (after following symlinks), or
 * undefined when only root can. Throws when `file` cannot be read.
 */
export function replaceableByNonRoot(file: string, stat: (p: string) => Stats = statSync, realpath: (p: string) => string = realpathSync): string | undefined {
  let p = realpath(file);
  let why = userWritable(p, stat(p), false);
  while (!why && path.dirname(p) !== p) {
    p = path.dirname(p);
    why = userWritable(p, stat(p), true);
  }
  return why;
}

/** Throws when `file`, about to run as root, could have been replaced by a user other than root. */
export function assertRootSafe(file: string, what: string): void {
  const why = replaceableByNonRoot(file);
  if (why) {
    throw new Error(`refusing to run ${what} ${file} as root: ${why}, so a user other than root could replace it. `
      + 'Install it where only root can write (owned by root, not group- or world-writable, in folders likewise), '
      + 'or run as your own user with a capability-granted probe (runtime-lens doctor shows the setcap command)');
  }
}
