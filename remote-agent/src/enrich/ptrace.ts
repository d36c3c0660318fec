/* The ptrace requests the probe records (bpf/linux/process.bpf.c, ptrace_acts), by number. */
import { PTRACE_VM_WRITEV } from '../decode/layout';

const REQUESTS: Readonly<Record<number, string>> = {
  0: 'PTRACE_TRACEME', 4: 'PTRACE_POKETEXT', 5: 'PTRACE_POKEDATA', 6: 'PTRACE_POKEUSER', 13: 'PTRACE_SETREGS',
  15: 'PTRACE_SETFPREGS', 16: 'PTRACE_ATTACH', 0x4205: 'PTRACE_SETREGSET', 0x4206: 'PTRACE_SEIZE',
};

/** The request's name; process_vm_writev for the probe's PTRACE_VM_WRITEV. */
export function ptraceRequestName(request: number): string {
  if (request === PTRACE_VM_WRITEV) return 'process_vm_writev';
  return REQUESTS[request] ?? `ptrace request ${request}`;
}

/** Requests that write into the target (its memory or registers): the address is shown for the POKEs. */
export const POKES: ReadonlySet<string> = new Set(['PTRACE_POKETEXT', 'PTRACE_POKEDATA', 'PTRACE_POKEUSER']);
