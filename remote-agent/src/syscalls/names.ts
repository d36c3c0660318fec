/*
 * Syscall number <-> name for the architecture the probe reports in HELLO.
 */
import { ARM64_NAMES, COMMON_NAMES_FROM_451, X86_64_NAMES } from './tables';

export type Arch = 'x86_64' | 'arm64';

/** Maps a uname machine string (HELLO.machine, os.machine()) to a syscall table, or throws naming the value. */
export function archFromMachine(machine: string): Arch {
  if (machine === 'x86_64' || machine === 'amd64') return 'x86_64';
  if (machine === 'aarch64' || machine === 'arm64') return 'arm64';
  throw new Error(`unsupported machine '${machine}': Runtime Lens names syscalls for x86_64 and aarch64`);
}

function expand(base: string): string[] {
  const names = base.trim().split(' ').map((n) => (n === '_' ? '' : n));
  while (names.length < 451) names.push('');
  return names.concat(COMMON_NAMES_FROM_451.trim().split(' '));
}

/** One architecture's syscall table: number to name and back. */
export class SyscallTable {
  readonly names: readonly string[];
  private readonly byName = new Map<string, number>();

  constructor(readonly arch: Arch) {
    this.names = expand(arch === 'x86_64' ? X86_64_NAMES : ARM64_NAMES);
    this.names.forEach((n, nr) => { if (n) this.byName.set(n, nr); });
  }

  /** Name of `nr`, or `syscall_<nr>` for numbers this table does not know. */
  name(nr: number): string {
    return this.names[nr] || `syscall_${nr}`;
  }

  /** Number of a syscall name (also accepts `syscall_<nr>` and plain numbers), or undefined. */
  number(name: string): number | undefined {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const m = /^(?:syscall_)?(\d+)$/.exec(name);
    return m ? Number(m[1]) : undefined;
  }
}

const tables = new Map<Arch, SyscallTable>();
/** Shared, lazily built table per architecture. */
export function syscallTable(arch: Arch): SyscallTable {
  let t = tables.get(arch);
  if (!t) { t = new SyscallTable(arch); tables.set(arch, t); }
  return t;
}
