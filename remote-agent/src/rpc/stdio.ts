/*
 * `runtime-lens agent --stdio`: the JSON-RPC server on stdin/stdout. Exits
 * after `shutdown` or when the client closes stdin, stopping every session.
 */
import { AgentServer, systemServerDeps } from './server';

/** Serves JSON-RPC on this process's stdin/stdout until shutdown or EOF; resolves with the exit status. */
export function runStdioAgent(): Promise<number> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      process.stdin.destroy(); // nothing more to read: let the process end
      process.stdout.write('', () => resolve(code));
    };
    const server = new AgentServer(process.stdin, process.stdout, systemServerDeps(() => finish(0)));
    server.connection.onClose(() => { void server.stopAll().then(() => finish(0)); });
  });
}
