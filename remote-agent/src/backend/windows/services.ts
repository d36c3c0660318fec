/*
 * Windows facts doctor needs: whether a service is installed and running
 * (`sc query NAME`) and whether this process is elevated (`net session`
 * succeeds only for an administrator).
 */
import { execFile } from 'node:child_process';

export type ServiceState = 'running' | 'stopped' | 'missing' | 'unknown';

/** Reads `sc query NAME`: "STATE : 4 RUNNING"; error 1060 is a service that is not installed. */
export function parseScQuery(output: string): ServiceState {
  if (/\b1060\b|does not exist as an installed service/i.test(output)) return 'missing';
  const m = /STATE\s*:\s*(\d+)/.exec(output);
  if (!m) return 'unknown';
  return m[1] === '4' ? 'running' : 'stopped';
}

function run(cmd: string, args: string[]): Promise<{ output: string; status: number }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { windowsHide: true, timeout: 20000 }, (err, stdout, stderr) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      resolve({ output: `${stdout}${stderr}`, status: err ? (typeof code === 'number' ? code : 1) : 0 });
    });
  });
}

export async function serviceState(name: string): Promise<ServiceState> {
  return parseScQuery((await run('sc', ['query', name])).output);
}

export async function isAdministrator(): Promise<boolean> {
  return (await run('net', ['session'])).status === 0;
}
