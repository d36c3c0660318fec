/*
 * Checks a trace target before the probe is started, so a typo gets a clear
 * answer instead of a probe error: the command must be found in PATH, the pid
 * must exist.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCodes } from '../protocol';
import { processExists } from '../proc/procfs';
import { SessionError } from './errors';

/** Resolves argv[0] like execvp: with a slash relative to cwd, else through PATH. Throws CommandNotFound. */
export function resolveCommand(command: string, cwd: string, envPath: string | undefined): string {
  if (!command) throw new SessionError(ErrorCodes.CommandNotFound, 'empty command: give the program to run, e.g. `-- ls -l`');
  const candidates = command.includes('/')
    ? [path.resolve(cwd, command)]
    : (envPath ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter(Boolean).map((d) => path.resolve(cwd, d, command));
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch { /* next */ }
  }
  const where = command.includes('/') ? `at ${candidates[0]}` : `in PATH=${envPath ?? ''}`;
  throw new SessionError(ErrorCodes.CommandNotFound, `command not found: ${command} (no executable file ${where})`,
    ['check the spelling, give a full path, or add its directory to PATH']);
}

/** Throws NoSuchProcess unless `pid` names a running process. */
export function checkPid(pid: number): void {
  if (!processExists(pid)) {
    throw new SessionError(ErrorCodes.NoSuchProcess, `no process with pid ${pid}; pick a running process (see processes/list)`);
  }
}
