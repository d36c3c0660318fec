/*
 * Where lens-seccomp is: $LENS_SECCOMP, else next to the agent bundle, else
 * the repository's build output (remote-agent/native/seccomp/.output).
 */
import { locateHelper } from '../locate-helper';

/** The launcher's path; throws naming the places searched and how to build it. */
export function locateSeccompLauncher(env: NodeJS.ProcessEnv = process.env, bundleDir = __dirname): string {
  return locateHelper({ name: 'lens-seccomp', envVar: 'LENS_SECCOMP', buildDir: 'native/seccomp/.output', build: 'make -C remote-agent/native/seccomp (needs libseccomp-dev)' }, env, bundleDir);
}
