/*
 * Loading and unloading the Windows programs with eBPF for Windows' netsh
 * helper: `netsh ebpf add program filename=F pinned=all` prints "Loaded with
 * ID N" per program; `netsh ebpf delete program id=N`. What netsh printed is
 * turned into loaded ids, or an error saying what to install or run.
 */
import { execFile } from 'node:child_process';

/** What one `netsh ebpf add program` did. */
export type NetshLoad =
  | { state: 'loaded'; ids: number[] }
  /** the programs are loaded already (their pins exist): use them */
  | { state: 'already-loaded' }
  | { state: 'failed'; reason: 'access-denied' | 'not-installed' | 'error'; message: string; fix: string };

export function addProgramArgs(object: string): string[] {
  return ['ebpf', 'add', 'program', `filename=${object}`, 'pinned=all'];
}

export function deleteProgramArgs(id: number): string[] {
  return ['ebpf', 'delete', 'program', `id=${id}`];
}

/** Reads what `netsh ebpf add program` printed (stdout and stderr) and its exit status. */
export function parseAddProgram(output: string, status: number | null): NetshLoad {
  const ids = [...output.matchAll(/Loaded with ID (\d+)/gi)].map((m) => Number(m[1]));
  if (ids.length && status === 0) return { state: 'loaded', ids };
  const text = output.trim().replace(/\s+/g, ' ');
  if (/The following command was not found|is not a recognized|Helper DLL .*ebpfnetsh|ENOENT/i.test(output)) {
    return {
      state: 'failed', reason: 'not-installed', message: `eBPF for Windows is not installed (netsh has no "ebpf" context): ${text}`,
      fix: 'install eBPF for Windows (https://github.com/microsoft/ebpf-for-windows/releases), which registers ebpfnetsh.dll with netsh',
    };
  }
  if (/access is denied|error 5\b|ERROR_ACCESS_DENIED/i.test(output)) {
    return {
      state: 'failed', reason: 'access-denied', message: `netsh could not load the programs: access denied (${text})`,
      fix: 'run VS Code (or the agent) as Administrator: loading eBPF programs needs an elevated process',
    };
  }
  if (/already exists|already loaded|error 183\b|ERROR_ALREADY_EXISTS|ERROR_OBJECT_ALREADY_EXISTS/i.test(output)) return { state: 'already-loaded' };
  return {
    state: 'failed', reason: 'error', message: `netsh ebpf add program failed${status === null ? '' : ` (exit ${status})`}: ${text || 'no output'}`,
    fix: 'check that the eBPF for Windows and ntosebpfext services run (sc query ebpfcore, sc query ntosebpfext), then retry',
  };
}

/** Runs netsh with `args`: its output (stdout then stderr) and exit status; a missing netsh reads as ENOENT. */
export function runNetsh(args: string[], netsh = 'netsh'): Promise<{ output: string; status: number | null }> {
  return new Promise((resolve) => {
    execFile(netsh, args, { windowsHide: true, timeout: 60000 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      if (e && e.code === 'ENOENT') return resolve({ output: `ENOENT: ${netsh} not found`, status: null });
      resolve({ output: `${stdout}${stderr}`, status: e ? (typeof e.code === 'number' ? e.code : 1) : 0 });
    });
  });
}

/** Loads each object; the ids loaded, or the first failure. */
export async function loadPrograms(objects: readonly string[], netsh?: string): Promise<{ ids: number[] } | Extract<NetshLoad, { state: 'failed' }>> {
  const ids: number[] = [];
  for (const object of objects) {
    const { output, status } = await runNetsh(addProgramArgs(object), netsh);
    const r = parseAddProgram(output, status);
    if (r.state === 'failed') {
      await unloadPrograms(ids, netsh);
      return r;
    }
    if (r.state === 'loaded') ids.push(...r.ids);
  }
  return { ids };
}

/** Unloads what loadPrograms loaded (programs loaded before us stay). */
export async function unloadPrograms(ids: readonly number[], netsh?: string): Promise<void> {
  for (const id of ids) await runNetsh(deleteProgramArgs(id), netsh);
}
