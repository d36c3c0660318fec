/*
 * Where ssh's ControlMaster sockets live: a folder of this user's own, mode
 * 0700, with a short path (a Unix socket path has at most 107 bytes), so no
 * other user can reach or replace a connection that is already logged in.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The folder, made when missing; throws when it exists with another owner, mode or as a link. */
export function controlDir(base = process.env.LENS_SSH_CONTROL_DIR ?? path.join(tmpdir(), `runtime-lens-ssh-${process.getuid?.() ?? 0}`)): string {
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const st = lstatSync(base);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new Error(`${base} must be a folder of your own with mode 0700 (it holds ssh connection sockets); remove it or fix it with \`chmod 700 ${base}\``);
  }
  return base;
}

/** A short name for one connection: the same target and options share a master, other options get their own. */
export function controlName(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}
