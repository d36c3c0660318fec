/*
 * Host facts from /proc: processes, their command lines, cwd, fds, users and
 * start times.
 */
import type { HostFacts } from '../backend';
import { listProcesses } from './process-list';
import { statSync } from 'node:fs';
import { ProcMemory } from './proc-memory';
import { listPids, processExists, readCmdline, readFds, readLink, readMaps, readStat, readUid, userNames } from './procfs';

/** The host facts of /proc (another root for tests). */
export function linuxHostFacts(root = '/proc'): HostFacts {
  let names: ((uid: number) => string) | undefined;
  return {
    process: (pid) => readStat(pid, root),
    exists: (pid) => processExists(pid),
    pids: () => listPids(root),
    cmdline: (pid) => readCmdline(pid, root),
    cwd: (pid) => readLink(pid, 'cwd', root),
    exe: (pid) => readLink(pid, 'exe', root),
    exeInode: (pid) => { try { return statSync(`${root}/${pid}/exe`).ino; } catch { return undefined; } },
    mappings: (pid) => readMaps(pid, root),
    fileAs: (pid, file) => `${root}/${pid}/root${file}`,
    memory: (pid) => new ProcMemory(pid, root),
    uid: (pid) => readUid(pid, root),
    fds: (pid) => readFds(pid, root),
    list: () => listProcesses(root),
    userName: (uid) => (names ??= userNames())(uid),
  };
}
