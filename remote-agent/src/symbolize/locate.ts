/*
 * Where the lens-symbolize binary is: $LENS_SYMBOLIZE, else next to the agent
 * bundle, else the repository's build output (remote-agent/native/.output).
 */
import { locateHelper } from '../locate-helper';

/** The helper's path; throws naming the places searched and how to build it. */
export function locateSymbolizer(env: NodeJS.ProcessEnv = process.env, bundleDir = __dirname): string {
  return locateHelper({ name: 'lens-symbolize', envVar: 'LENS_SYMBOLIZE', buildDir: 'native/.output', build: 'make -C remote-agent/native (needs libdw-dev)' }, env, bundleDir);
}
