import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { AgentCommand } from './agentCommand';
import { TextTail } from '../util/tail';

/** How the agent process ended, with the end of its stderr to explain why. */
export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** last lines the agent wrote to stderr */
  stderrTail: string;
  /** set when the process could not be started at all */
  spawnError?: string;
}

/** The byte streams and lifetime of an agent, however it was started. */
export interface AgentTransport {
  readable: NodeJS.ReadableStream;
  writable: NodeJS.WritableStream;
  /** resolves once, when the agent is gone */
  exited: Promise<AgentExit>;
  /** ask the agent process to end now */
  kill(): void;
  /** text the agent wrote to stderr so far (its last lines) */
  stderrTail(): string;
}

/** Starts the agent as a child process speaking JSON-RPC on its stdio. */
export function spawnAgent(cmd: AgentCommand, cwd: string, log: (line: string) => void): AgentTransport {
  const child: ChildProcessWithoutNullStreams = spawn(cmd.command, cmd.args, {
    cwd,
    env: { ...process.env, ...cmd.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const tail = new TextTail();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    tail.push(chunk);
    for (const line of chunk.split(/\r?\n/)) if (line.trim()) log(`[agent stderr] ${line}`);
  });
  // A closed pipe after the agent died must not crash the extension host.
  child.stdin.on('error', (err) => log(`[agent stdin] ${err.message}`));
  const exited = new Promise<AgentExit>((resolve) => {
    let done = false;
    child.on('error', (err) => {
      if (done) return;
      done = true;
      resolve({ code: null, signal: null, stderrTail: tail.lastLines(), spawnError: `${cmd.command}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      if (done) return;
      done = true;
      resolve({ code, signal, stderrTail: tail.lastLines() });
    });
  });
  return {
    readable: child.stdout,
    writable: child.stdin,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
    stderrTail: () => tail.lastLines(),
  };
}

/** One sentence saying how the agent ended, for notifications and failed sessions. */
export function describeAgentExit(exit: AgentExit): string {
  let what: string;
  if (exit.spawnError) what = `could not be started (${exit.spawnError})`;
  else if (exit.signal) what = `was killed by ${exit.signal}`;
  else what = `exited with code ${exit.code ?? 'unknown'}`;
  const tail = exit.stderrTail ? `: ${exit.stderrTail.split('\n').slice(-3).join(' | ')}` : '';
  return `The Runtime Lens agent ${what}${tail}`;
}
