/*
 * Where one of the agent's native helpers is: $ENV_VAR, else next to the
 * agent bundle, else the repository's build output. Used for lens-symbolize
 * and lens-seccomp.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface NativeHelper {
  /** the binary's file name */
  name: string;
  /** the environment variable that overrides where it is */
  envVar: string;
  /** its build output folder, relative to remote-agent/ */
  buildDir: string;
  /** how to build it, for the error */
  build: string;
}

/** The helper's path; throws naming the places searched and how to build it. */
export function locateHelper(h: NativeHelper, env: NodeJS.ProcessEnv, bundleDir: string): string {
  const override = env[h.envVar];
  if (override) {
    const p = path.resolve(override);
    if (!isExecutable(p)) throw new Error(`${h.envVar}=${override} is not an executable file; unset it or point it at a built ${h.name}`);
    return p;
  }
  // bundle: remote-agent/dist; sources (tests via tsx): remote-agent/src or one folder below it
  const candidates = [path.join(bundleDir, h.name), ...['..', '../..'].map((up) => path.resolve(bundleDir, up, h.buildDir, h.name))];
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new Error(`${h.name} not found (looked in ${candidates.join(', ')}); build it with \`${h.build}\` or set ${h.envVar}=/path/to/${h.name}`);
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
