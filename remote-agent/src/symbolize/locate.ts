/*
 * Where the lens-symbolize binary is: $LENS_SYMBOLIZE, else next to the agent
 * bundle, else the repository's build output (remote-agent/native/.output).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The helper's path; throws naming the places searched and how to build it. */
export function locateSymbolizer(env: NodeJS.ProcessEnv = process.env, bundleDir = __dirname): string {
  if (env.LENS_SYMBOLIZE) {
    const p = path.resolve(env.LENS_SYMBOLIZE);
    if (!isExecutable(p)) throw new Error(`LENS_SYMBOLIZE=${env.LENS_SYMBOLIZE} is not an executable file; unset it or point it at a built lens-symbolize`);
    return p;
  }
  // bundle: remote-agent/dist; sources (tests via tsx): remote-agent/src/symbolize
  const candidates = [path.join(bundleDir, 'lens-symbolize'), ...['..', '../..'].map((up) => path.resolve(bundleDir, up, 'native/.output/lens-symbolize'))];
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new Error(`lens-symbolize not found (looked in ${candidates.join(', ')}); build it with \`make -C remote-agent/native\` (needs libdw-dev) or set LENS_SYMBOLIZE=/path/to/lens-symbolize`);
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
