/*
 * Host facts from /proc: processes, their command lines, cwd, fds, users and
 * start times.
 */
import type { HostFacts } from '../backend';
import { listProcesses } from './process-list';
import { listPids, processExists, readCmdline, readFds, readLink, readStat, readUid, userNames } from './procfs';

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
    uid: (pid) => readUid(pid, root),
    fds: (pid) => readFds(pid, root),
    list: () => listProcesses(root),
    userName: (uid) => (names ??= userNames())(uid),
  };
}
