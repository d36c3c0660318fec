// Reads syscall numbers from this machine's kernel headers (x86_64 and the
// asm-generic table arm64 uses). `node scripts/gen-syscall-tables.mjs` prints
// them in the form of remote-agent/src/syscalls/tables.ts; the unit test
// test/unit/agent/syscalls.test.ts uses readHeaderTables() to check that the
// committed table agrees with the headers wherever the headers know a number.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const X86_64_HEADER = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';
export const GENERIC_HEADER = '/usr/include/asm-generic/unistd.h';

/* The defines arm64's uapi <asm/unistd.h> sets before including asm-generic/unistd.h. */
const ARM64_DEFINES = [
  '__ARCH_WANT_RENAMEAT', '__ARCH_WANT_NEW_STAT', '__ARCH_WANT_SET_GET_RLIMIT',
  '__ARCH_WANT_TIME32_SYSCALLS', '__ARCH_WANT_SYS_CLONE3', '__ARCH_WANT_MEMFD_SECRET',
];

/* Reserved ranges the header names but no syscall occupies. */
const PLACEHOLDERS = new Set(['__NR_arch_specific_syscall']);

function macros(header, defines) {
  const args = ['-E', '-dM', ...defines.map((d) => `-D${d}`), header];
  const out = execFileSync('gcc', args, { encoding: 'utf8' });
  const defs = new Map();
  for (const line of out.split('\n')) {
    const m = /^#define (__NR3264_\w+|__NR_\w+) (\S+)$/.exec(line);
    if (m) defs.set(m[1], m[2]);
  }
  const table = new Map();
  for (const [name, value] of defs) {
    if (!name.startsWith('__NR_') || name === '__NR_syscalls') continue;
    let v = value;
    for (let i = 0; i < 4 && defs.has(v); i++) v = defs.get(v);
    const nr = Number(v);
    if (Number.isInteger(nr) && !PLACEHOLDERS.has(name)) table.set(nr, name.slice(5));
  }
  return table;
}

/** Syscall tables from the local headers: { x86_64, arm64 } as Map<nr, name>, or null when a header is absent. */
export function readHeaderTables() {
  return {
    x86_64: existsSync(X86_64_HEADER) ? macros(X86_64_HEADER, []) : null,
    arm64: existsSync(GENERIC_HEADER) ? macros(GENERIC_HEADER, ARM64_DEFINES) : null,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Prints one line per arch: names separated by spaces, index = syscall number, '_' for a hole.
  for (const [arch, table] of Object.entries(readHeaderTables())) {
    if (!table) { console.error(`${arch}: header not found`); continue; }
    const max = Math.max(...table.keys());
    const names = [];
    for (let nr = 0; nr <= max; nr++) names.push(table.get(nr) ?? '_');
    console.log(`${arch}: ${table.size} names, highest ${max}`);
    console.log(names.join(' ').replace(/(.{1,96})( |$)/g, "  '$1 ' +\n"));
  }
}
