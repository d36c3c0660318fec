/*
 * Where the Windows probe is: lens-probe.exe with process.o and net.o beside
 * it. $LENS_PROBE (the reader) first, else the bundle's win32/ folder (the
 * win32-x64 .vsix), else the repository's build output.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface WindowsProbeFiles { reader: string; objects: string[] }

export const WINDOWS_OBJECTS = ['process.o', 'net.o'] as const;

export function windowsProbeCandidates(env: NodeJS.ProcessEnv = process.env, bundleDir = __dirname): string[] {
  const list: string[] = [];
  if (env.LENS_PROBE) list.push(path.resolve(env.LENS_PROBE));
  list.push(path.join(bundleDir, 'win32', 'lens-probe.exe'));
  for (const up of ['../..', '../../../..']) list.push(path.resolve(bundleDir, up, 'bpf/windows/.output/lens-probe.exe'));
  return list;
}

/** The reader and the program objects beside it; throws with the places searched. */
export function locateWindowsProbe(env: NodeJS.ProcessEnv = process.env, bundleDir = __dirname): WindowsProbeFiles {
  const candidates = windowsProbeCandidates(env, bundleDir);
  const reader = env.LENS_PROBE ? candidates[0] : candidates.find((c) => existsSync(c));
  if (!reader || !existsSync(reader)) throw new Error(`lens-probe.exe not found (looked in ${candidates.join(', ')})`);
  const objects = WINDOWS_OBJECTS.map((o) => path.join(path.dirname(reader), o));
  const missing = objects.filter((o) => !existsSync(o));
  if (missing.length) throw new Error(`the Windows programs are missing beside ${reader}: ${missing.join(', ')}`);
  return { reader, objects };
}
