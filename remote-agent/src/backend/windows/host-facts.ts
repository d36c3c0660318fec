/*
 * Host facts on Windows: a snapshot of Win32_Process (PowerShell's
 * Get-CimInstance) with pids, parents, names, command lines, creation times
 * and owners, taken by refresh(); readers answer from it. Windows has no
 * /proc: no fds, mappings or memory reads (those answer empty).
 */
import { execFileSync } from 'node:child_process';
import type { ProcessInfo } from '../../protocol';
import { redactArgv } from '../../redact/redact';
import type { HostFacts } from '../backend';

/** One row of the snapshot, as ConvertTo-Json writes Win32_Process fields. */
export interface WinProcess { ProcessId: number; ParentProcessId: number; Name: string; CommandLine: string | null; ExecutablePath: string | null; CreationDate: string | null; Owner?: string | null }

const SNAPSHOT = 'Get-CimInstance Win32_Process | ForEach-Object { $o = Invoke-CimMethod -InputObject $_ -MethodName GetOwner -ErrorAction SilentlyContinue; '
  + '[pscustomobject]@{ ProcessId = $_.ProcessId; ParentProcessId = $_.ParentProcessId; Name = $_.Name; CommandLine = $_.CommandLine; '
  + 'ExecutablePath = $_.ExecutablePath; CreationDate = if ($_.CreationDate) { $_.CreationDate.ToUniversalTime().ToString("o") } else { $null }; '
  + 'Owner = if ($o.User) { "$($o.Domain)\\$($o.User)" } else { $null } } } | ConvertTo-Json -Compress';

/** Parses the snapshot's JSON (one object when there is one process). */
export function parseProcessSnapshot(json: string): WinProcess[] {
  const v = JSON.parse(json || '[]') as WinProcess | WinProcess[];
  return Array.isArray(v) ? v : [v];
}

/** A creation date as ns since the Unix epoch: the start_ns of the Windows programs' records. */
export function startNsOf(p: WinProcess): number {
  return p.CreationDate ? Date.parse(p.CreationDate) * 1e6 : 0;
}

export function windowsHostFacts(snapshot: () => string = () => execFileSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', SNAPSHOT], { encoding: 'utf8', windowsHide: true, maxBuffer: 64 << 20 })): HostFacts {
  let byPid = new Map<number, WinProcess>();
  const take = () => { byPid = new Map(parseProcessSnapshot(snapshot()).map((p) => [p.ProcessId, p])); };
  const get = (pid: number) => { if (!byPid.size) take(); return byPid.get(pid); };
  return {
    refresh: async () => { take(); },
    process: (pid) => {
      const p = get(pid);
      return p && { pid, ppid: p.ParentProcessId, comm: p.Name.slice(0, 15), state: 'R', startNs: startNsOf(p) };
    },
    exists: (pid) => get(pid) !== undefined,
    pids: () => { take(); return [...byPid.keys()]; },
    cmdline: (pid) => { const c = get(pid)?.CommandLine; return c ? [c] : undefined; },
    cwd: () => undefined,
    exe: (pid) => get(pid)?.ExecutablePath ?? undefined,
    exeInode: () => undefined,
    mappings: () => undefined,
    fileAs: (_pid, file) => file,
    memory: () => ({ read: () => undefined, close: () => {} }),
    uid: () => undefined,
    fds: () => new Map(),
    list: (): ProcessInfo[] => {
      take();
      return [...byPid.values()].map((p) => ({
        pid: p.ProcessId, ppid: p.ParentProcessId, user: p.Owner ?? '', uid: -1, comm: p.Name, cmdline: p.CommandLine ? redactArgv([p.CommandLine]).join(' ') : p.Name, startTime: startNsOf(p) / 1e6,
      }));
    },
    userName: (uid) => String(uid),
  };
}
