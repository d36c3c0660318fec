/*
 * Where the lens-probe binary is: $LENS_PROBE, else next to the agent bundle
 * (how the packaged extension ships it), else the repository's build output.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { assertRootSafe } from '../../security/root-safe';

/** A probe binary and where it was found. */
export interface ProbeLocation {
  path: string;
  /** where the path came from, for messages */
  source: 'LENS_PROBE' | 'bundle' | 'repository';
}

/** Candidate locations, in the order they are tried. */
export function probeCandidates(env: NodeJS.ProcessEnv = process.env, bundleDir = __dirname): ProbeLocation[] {
  const list: ProbeLocation[] = [];
  if (env.LENS_PROBE) list.push({ path: path.resolve(env.LENS_PROBE), source: 'LENS_PROBE' });
  list.push({ path: path.join(bundleDir, 'lens-probe'), source: 'bundle' });
  // bundle: remote-agent/dist; sources (tests via tsx): remote-agent/src/backend/linux
  for (const up of ['../..', '../../../..']) {
    list.push({ path: path.resolve(bundleDir, up, 'bpf/linux/.output/lens-probe'), source: 'repository' });
  }
  return list;
}

/**
 * The probe to run. $LENS_PROBE, when set, must exist (a wrong override is an
 * error, not a silent fallback). Throws with the places searched and how to build it, and,
 * for a root agent (euid 0), when a user other than root could replace the probe.
 */
export function locateProbe(env: NodeJS.ProcessEnv = process.env, bundleDir = __dirname, euid = process.geteuid?.() ?? -1): ProbeLocation {
  const candidates = probeCandidates(env, bundleDir);
  let found: ProbeLocation | undefined;
  if (env.LENS_PROBE) {
    found = candidates[0];
    if (!isExecutable(found.path)) throw new Error(`LENS_PROBE=${env.LENS_PROBE} is not an executable file; unset it or point it at a built lens-probe`);
  } else {
    found = candidates.find((c) => isExecutable(c.path));
  }
  if (found) {
    // as root the probe runs as root: a file another user can replace would run their code as root
    if (euid === 0) assertRootSafe(found.path, found.source === 'LENS_PROBE' ? 'the probe (LENS_PROBE)' : 'the probe');
    return found;
  }
  const seen = [...new Set(candidates.map((c) => c.path))];
  throw new Error(`lens-probe not found (looked in ${seen.join(', ')}); build it with \`make -C bpf/linux\` or set LENS_PROBE=/path/to/lens-probe`);
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return existsSync(p);
  } catch {
    return false;
  }
}
