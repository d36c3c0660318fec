/*
 * The process list behind processes/list: pid, parent, user and command line
 * of every process, for attach pickers. Command lines are always redacted: the
 * list is shown before any session (and its redaction setting) exists.
 */
import type { ProcessInfo } from '../../protocol';
import { readFileSync } from 'node:fs';
import { redactArgv } from '../../redact/redact';
import { listPids, readCmdline, readStat, readUid, userNames } from './procfs';

/** Boot time in ms since the epoch (/proc/stat btime), to turn start times since boot into dates. */
function bootTimeMs(root: string): number {
  const m = /^btime (\d+)/m.exec(readFileSync(`${root}/stat`, 'latin1'));
  return m ? Number(m[1]) * 1000 : 0;
}

/** Every process visible in /proc, sorted by pid; startTime in ms since the epoch. Kernel threads show as `[comm]`. */
export function listProcesses(root = '/proc'): ProcessInfo[] {
  const user = userNames();
  const boot = bootTimeMs(root);
  const out: ProcessInfo[] = [];
  for (const pid of listPids(root)) {
    const stat = readStat(pid, root);
    const argv = readCmdline(pid, root);
    const uid = readUid(pid, root);
    if (!stat || !argv || uid === undefined) continue; // exited while listing
    out.push({
      pid, ppid: stat.ppid, uid, user: user(uid), comm: stat.comm,
      cmdline: argv.length ? redactArgv(argv).join(' ') : `[${stat.comm}]`, startTime: boot + stat.startNs / 1e6,
    });
  }
  return out.sort((a, b) => a.pid - b.pid);
}
