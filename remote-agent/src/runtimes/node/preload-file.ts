/*
 * The preload's file on disk: the source of nodePreload, written once per
 * content into the user's cache folder (not the session's folder), because a
 * process the target started can outlive the session and still start Node
 * with the inherited NODE_OPTIONS: a missing --require file would stop it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodePreload } from './preload';

/** The preload's source text, as the target loads it. */
export function preloadSource(): string {
  // __name: the helper a bundler keeping function names calls; a failure inside never stops the app
  return `'use strict';\n// Runtime Lens: reports the JS stack of fs, child_process, net and dns calls to the tracing agent.\n`
    + `const __name = (f) => f;\ntry {\n  (${nodePreload.toString()})();\n} catch {\n  // the app runs without JS stack reports\n}\n`;
}

/** The folder the preload is kept in: $RUNTIME_LENS_CACHE, else $XDG_CACHE_HOME/runtime-lens, else ~/.cache/runtime-lens. */
export function preloadDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RUNTIME_LENS_CACHE) return env.RUNTIME_LENS_CACHE;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'runtime-lens');
}

/** Writes the preload (if that content is not there yet) and returns its path; throws when the folder cannot be written. */
export function ensurePreloadFile(dir = preloadDir()): string {
  const source = preloadSource();
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = path.join(dir, `node-preload-${hash}.cjs`);
  try {
    if (statSync(file).size === Buffer.byteLength(source)) return file;
  } catch { /* not written yet */ }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, source, { mode: 0o644 });
  renameSync(tmp, file);
  return file;
}
