/*
 * Absolute paths for file events: the kernel gives the path as the program
 * passed it plus, for relative paths, the directory it resolved (dirfd or
 * cwd); the agent falls back to its own cwd/fd knowledge when that is empty.
 */
import path from 'node:path';

/** Joins a possibly relative path onto a base directory and normalises `.`/`..`/`//` (no symlink resolution). */
export function absolutePath(p: string, dir: string | undefined): string {
  if (p === '') return ''; // nothing was read: do not invent the directory as the path
  if (p.startsWith('/')) return path.posix.normalize(p);
  if (!dir || !dir.startsWith('/')) return p; // nothing better known: keep it as the program passed it
  return path.posix.normalize(path.posix.join(dir, p));
}
