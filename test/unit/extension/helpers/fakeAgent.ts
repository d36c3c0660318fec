import { PassThrough } from 'node:stream';
import { ResponseError, type MessageConnection } from 'vscode-jsonrpc';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import {
  ErrorCodes, EventsNotification, HostProgressNotification, HostReconnectRequest, HostStateNotification, InitializeRequest, OutputNotification, ProcessListRequest, SessionInputRequest,
  SessionStartRequest, SessionStopRequest, StateNotification, SyscallSummaryNotification,
  type HostInfo, type HostStateParams, type InitializeResult, type LensEvent, type ProcessInfo, type SessionStartParams, type SessionStats, type SyscallSummaryRow,
} from '../../../../remote-agent/src/protocol';
import type { AgentExit, AgentTransport } from '../../../../extension/src/agent/agentProcess';

/**
 * The agent side of the protocol over in-memory streams, scripted by the test:
 * it answers initialize/processes/start/stop/input, lets the test send
 * notifications, and can "crash" (end the transport with an exit status).
 */
export class FakeAgent {
  readonly transport: AgentTransport;
  readonly server: MessageConnection;
  readonly started: SessionStartParams[] = [];
  readonly inputs: string[] = [];
  processes: ProcessInfo[] = [];
  /** pids that "exited" after the list was read */
  goneAfterList = new Set<number>();
  /** argv[0]s the agent does not find */
  unknownCommands = new Set<string>(['no-such-command']);
  problem: InitializeResult['capabilities']['problem'] = null;
  /** when set, session/stop ends the session as 'failed' with this message (as a probe killed on stop does) */
  stopEndsFailed: string | undefined;
  /** notifications to send before answering session/start (they reach the client first) */
  eventsBeforeStartReply: LensEvent[] = [];
  /** a remote host's agent: the host initialize and host/reconnect report */
  host: HostInfo | undefined;
  /** host/progress steps sent before initialize answers */
  progressSteps: string[] = [];
  /** initialize (and host/reconnect) fail with this error */
  connectError: ResponseError<unknown> | undefined;
  reconnects = 0;
  private resolveExit!: (exit: AgentExit) => void;
  private nextSession = 1;
  private stderr = '';

  constructor() {
    const toClient = new PassThrough();
    const toAgent = new PassThrough();
    const exited = new Promise<AgentExit>((resolve) => {
      this.resolveExit = resolve;
    });
    this.transport = {
      readable: toClient,
      writable: toAgent,
      exited,
      kill: () => this.crash(null, 'SIGTERM'),
      stderrTail: () => this.stderr,
    };
    this.server = createMessageConnection(toAgent, toClient);
    this.server.onRequest(InitializeRequest, async () => {
      for (const message of this.progressSteps) await this.server.sendNotification(HostProgressNotification, { message });
      if (this.connectError) throw this.connectError;
      return {
        agentVersion: '0.0.0-test', protocolVersion: 1,
        capabilities: { platform: 'linux', arch: 'x64', kernel: 'test', events: ['exec', 'file', 'net', 'dns'], attach: true, stacks: false, problem: this.problem },
        ...(this.host ? { host: this.host } : {}),
      } satisfies InitializeResult;
    });
    this.server.onRequest(HostReconnectRequest, () => {
      this.reconnects++;
      if (this.connectError) throw this.connectError;
      return this.host!;
    });
    this.server.onRequest(ProcessListRequest, () => this.processes);
    this.server.onRequest(SessionStartRequest, (params) => {
      this.started.push(params);
      const target = params.target;
      if ('pid' in target) {
        if (this.goneAfterList.has(target.pid)) throw new ResponseError(ErrorCodes.NoSuchProcess, `no process with pid ${target.pid}`);
      } else if (this.unknownCommands.has(target.command[0])) {
        throw new ResponseError(ErrorCodes.CommandNotFound, `command not found: ${target.command[0]} (not in PATH)`);
      }
      const sessionId = `agent-${this.nextSession++}`;
      if (this.eventsBeforeStartReply.length > 0) {
        void this.server.sendNotification(EventsNotification, { sessionId, events: this.eventsBeforeStartReply });
        void this.server.sendNotification(OutputNotification, { sessionId, stream: 'stdout', data: Buffer.from('early output\n').toString('base64') });
      }
      return { sessionId, pid: 'pid' in target ? target.pid : 4242 };
    });
    this.server.onRequest(SessionStopRequest, ({ sessionId }) => {
      const state = this.stopEndsFailed ? 'failed' : 'stopped';
      void this.server.sendNotification(StateNotification, { sessionId, state, message: this.stopEndsFailed });
      return { sessionId, state, events: {}, total: 0, rate: 0, lost: {}, lostTotal: 0, startedAt: 0 } satisfies SessionStats;
    });
    this.server.onRequest(SessionInputRequest, ({ data }) => {
      this.inputs.push(Buffer.from(data, 'base64').toString('utf8'));
    });
    this.server.listen();
  }

  sendEvents(sessionId: string, events: LensEvent[]): Promise<void> {
    return this.server.sendNotification(EventsNotification, { sessionId, events });
  }

  sendSummary(sessionId: string, rows: SyscallSummaryRow[]): Promise<void> {
    return this.server.sendNotification(SyscallSummaryNotification, { sessionId, rows });
  }

  sendState(sessionId: string, state: 'exited' | 'failed' | 'disconnected', extra: { exitCode?: number; message?: string; missed?: number | 'unknown' } = {}): Promise<void> {
    return this.server.sendNotification(StateNotification, { sessionId, state, ...extra });
  }

  sendHostState(p: HostStateParams): Promise<void> {
    return this.server.sendNotification(HostStateNotification, p);
  }

  /** The agent process dies: its stderr says why. */
  crash(code: number | null, signal: NodeJS.Signals | null = null, stderr = ''): void {
    this.stderr = stderr;
    this.server.dispose();
    this.resolveExit({ code, signal, stderrTail: stderr });
  }
}

/** A minimal valid event of a kind at a time, for building test streams. */
export function ev(kind: 'open', ts: number, pid?: number, extra?: Record<string, unknown>): LensEvent;
export function ev(kind: LensEvent['kind'], ts: number, pid?: number, extra?: Record<string, unknown>): LensEvent;
export function ev(kind: LensEvent['kind'], ts: number, pid = 100, extra: Record<string, unknown> = {}): LensEvent {
  const base = { ts, kind, pid, tid: pid, ppid: 1, uid: 1000, comm: 'app', key: `${pid}:1000` };
  switch (kind) {
    case 'open':
      return { ...base, kind, syscall: 'openat', path: `/tmp/f${ts}`, flags: 'O_RDONLY', ret: 3, ...extra } as LensEvent;
    case 'exec':
      return { ...base, kind, filename: '/usr/bin/app', argv: ['app'], cwd: '/tmp', ret: 0, ...extra } as LensEvent;
    case 'fork': {
      const child = (extra.child_pid as number | undefined) ?? pid + 1;
      return { ...base, kind, child_pid: child, thread: false, ...(extra.thread ? {} : { child_key: `${child}:1000` }), ...extra } as LensEvent;
    }
    case 'exit':
      return { ...base, kind, exit_code: 0, ...extra } as LensEvent;
    case 'connect':
      return { ...base, kind, family: 'AF_INET', saddr: '127.0.0.1', sport: 40000, daddr: '127.0.0.1', dport: 8080, fd: 3, ret: 0, ...extra } as LensEvent;
    default:
      return { ...base, kind, ...extra } as LensEvent;
  }
}

/** Resolves when `check` becomes true, re-checking on each turn of the event loop (no fixed sleeps). */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
