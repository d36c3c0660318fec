/*
 * `runtime-lens agent --stdio`: the JSON-RPC server on stdin/stdout. Exits
 * after `shutdown` or when the client closes stdin, stopping every session.
 */
import type { HostArgs } from '../backend/remote/host-args';
import { RemoteHost } from '../backend/remote/remote-host';
import { AgentServer, remoteServerDeps, systemServerDeps } from './server';

/** Serves JSON-RPC on this process's stdin/stdout until shutdown or EOF (for a remote host with --host); resolves with the exit status. */
export function runStdioAgent(host: HostArgs = { sshOptions: [] }): Promise<number> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      process.stdin.destroy(); // nothing more to read: let the process end
      process.stdout.write('', () => resolve(code));
    };
    const deps = host.host ? remoteServerDeps(new RemoteHost(host.host, host.sshOptions), () => finish(0)) : systemServerDeps(() => finish(0));
    const server = new AgentServer(process.stdin, process.stdout, deps);
    server.connection.onClose(() => { void server.stopAll().then(() => finish(0)); });
  });
}
