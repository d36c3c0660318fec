/*
 * What is copied to a remote host: the statically linked lens-probe,
 * lens-remote (process facts, stdio multiplexer) and lens-symbolize, found
 * next to the agent bundle (dist/remote/, how the extension ships them) or in
 * the repository's build output; each with its sha256, and refused unless it
 * is a static x86_64 ELF (a dynamic one would need the host's libraries).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The three remote programs, by the name they have on the host. */
export const REMOTE_PROGRAMS = ['lens-probe', 'lens-remote', 'lens-symbolize'] as const;
export type RemoteProgram = (typeof REMOTE_PROGRAMS)[number];

/** One program to deploy. */
export interface Artifact {
  name: RemoteProgram;
  local: string;
  sha256: string;
  bytes: Buffer;
}

const BUILD_OUTPUT: Record<RemoteProgram, string> = {
  'lens-probe': 'bpf/linux/.output/static/lens-probe',
  'lens-remote': 'remote-agent/host-helper/.output/static/lens-remote',
  'lens-symbolize': 'remote-agent/native/.output/static/lens-symbolize',
};

/** Why `elf` is not a static x86_64 executable, or undefined when it is. */
export function staticElfProblem(elf: Buffer): string | undefined {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF file';
  if (elf[4] !== 2 || elf[5] !== 1) return 'not a 64-bit little-endian ELF';
  if (elf.readUInt16LE(18) !== 62) return 'not built for x86_64';
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize;
    if (off + 4 > elf.length) return 'program headers cut off';
    if (elf.readUInt32LE(off) === 3 /* PT_INTERP */) return 'dynamically linked (it would need the host\'s libraries)';
  }
  return undefined;
}

/** The artifacts, read and hashed; throws naming a missing or unsuitable one and how to build it. */
export function loadArtifacts(bundleDir = __dirname): Artifact[] {
  return REMOTE_PROGRAMS.map((name) => {
    const candidates = [path.join(bundleDir, 'remote', name), ...['../..', '../../../..'].map((up) => path.resolve(bundleDir, up, BUILD_OUTPUT[name]))];
    const local = candidates.find((c) => existsSync(c));
    if (!local) throw new Error(`${name} for remote hosts not found (looked in ${candidates.join(', ')}); build it with \`bash scripts/build.sh\``);
    const bytes = readFileSync(local);
    const problem = staticElfProblem(bytes);
    if (problem) throw new Error(`${local} cannot be copied to a remote host: ${problem}; rebuild it with \`bash scripts/build.sh\``);
    return { name, local, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
}
