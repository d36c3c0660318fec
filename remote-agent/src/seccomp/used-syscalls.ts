/*
 * The syscalls a session used: from its in-kernel counts (the syscount group,
 * counted at each syscall's exit) or its syscall stream.
 */
import type { LensEvent, SyscallSummaryRow } from '../protocol';

/**
 * exit and exit_group never return, so counts made at a syscall's exit cannot see them; every
 * process that ends by itself makes one of them, and a profile without them would leave it
 * unable to end (glibc's _exit loops on a refused exit).
 */
export const NEVER_RETURN = ['exit', 'exit_group'] as const;

/** The names used (sorted), and which of them were added because counts cannot see them. */
export interface UsedSyscalls {
  names: string[];
  added: string[];
}

/** Syscall names from summary rows and syscall events; empty when the session recorded neither. */
export function usedSyscalls(summary: readonly Pick<SyscallSummaryRow, 'name'>[], events: Iterable<LensEvent> = []): UsedSyscalls {
  const names = new Set<string>();
  for (const r of summary) names.add(r.name);
  for (const e of events) if (e.kind === 'syscall') names.add(e.name);
  const added: string[] = [];
  if (names.size > 0) {
    for (const n of NEVER_RETURN) if (!names.has(n)) { names.add(n); added.push(n); }
  }
  return { names: [...names].sort(), added };
}
