/*
 * Checks a trace target before the probe is started, so a typo gets a clear
 * answer instead of a probe error: the command must be found in PATH, the pid
 * must exist.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, type AttachTarget, type LaunchTarget } from '../../protocol';
import { processExists } from './procfs';
import { Fixes, SessionError } from '../../trace/errors';

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
  // The PATH itself is not repeated: it is long, the user has it (`echo $PATH`), and it may say more than the error needs.
  if (command.includes('/')) {
    throw new SessionError(ErrorCodes.CommandNotFound, `command not found: ${command} (no executable file at ${candidates[0]})`,
      [Fixes.advice('check the path, and that the file is executable (chmod +x)')]);
  }
  throw new SessionError(ErrorCodes.CommandNotFound, `command not found: ${command} (no executable file of that name in any PATH directory)`,
    [Fixes.advice(`check the spelling, give its full path (e.g. ./${command}), or add its directory to PATH`)]);
}

/** Throws NoSuchProcess unless `pid` names a running process. */
export function checkPid(pid: number): void {
  if (!processExists(pid)) {
    throw new SessionError(ErrorCodes.NoSuchProcess, `no process with pid ${pid}; pick a running process (\`ps -e\` lists them)`);
  }
}

/** Checks a launch or attach target; returns the launched program resolved like execvp. Throws a SessionError. */
export function checkTarget(t: LaunchTarget | AttachTarget, env: NodeJS.ProcessEnv): { execPath?: string } {
  if ('pid' in t) {
    checkPid(t.pid);
    return {};
  }
  if (!Array.isArray(t.command) || t.command.length === 0) {
    throw new SessionError(ErrorCodes.InvalidParams, 'target.command must be a non-empty array: [program, ...args]');
  }
  return { execPath: resolveCommand(t.command[0], t.cwd ?? process.cwd(), { ...env, ...t.env }.PATH) };
}
