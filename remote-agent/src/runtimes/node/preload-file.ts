/*
 * The preload's file on disk: the source of nodePreload, written once per
 * content. Not in the session's folder: a process the target started can
 * outlive the session and still start Node with the inherited NODE_OPTIONS,
 * and a missing --require file would stop it. Readable by every user (in
 * $TMPDIR/runtime-lens-<uid>, 0755, checked to be this user's own): a target
 * that switches user with its environment kept (su, runuser) must still be
 * able to load it; the FIFO stays in a 0700 folder, so such a process only
 * finds no channel and runs unreported.
 */
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodePreload } from './preload';

/** The preload's source text, as the target loads it. */
export function preloadSource(): string {
  // __name: the helper a bundler keeping function names calls; a failure inside never stops the app
  return `'use strict';\n// Runtime Lens: reports the JS stack of fs, child_process, net and dns calls to the tracing agent.\n`
    + `const __name = (f) => f;\ntry {\n  (${nodePreload.toString()})();\n} catch {\n  // the app runs without JS stack reports\n}\n`;
}

/** The folder the preload is kept in. */
export function preloadDir(): string {
  return path.join(os.tmpdir(), `runtime-lens-${process.getuid?.() ?? 'user'}`);
}

/** Writes the preload (if that content is not there yet) and returns its path; throws saying what is wrong with the folder. */
export function ensurePreloadFile(dir = preloadDir()): string {
  return ensureUserFile('node-preload', '.cjs', preloadSource(), 0o644, dir);
}

/**
 * Writes `source` as `<prefix>-<hash><ext>` in this user's runtime-lens folder (0755, checked to
 * be this user's own) unless that content is there already, and returns its path.
 */
export function ensureUserFile(prefix: string, ext: string, source: string, mode: number, dir = preloadDir()): string {
  try {
    mkdirSync(dir, { mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) {
    throw new Error(`${dir} is not a folder of this user's that only it can write to; remove it and trace again`);
  }
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = path.join(dir, `${prefix}-${hash}${ext}`);
  try {
    if (statSync(file).size === Buffer.byteLength(source)) return file;
  } catch { /* not written yet */ }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, source);
  chmodSync(tmp, mode);
  renameSync(tmp, file);
  return file;
}
