import { Emitter, ResponseError, type Event, type MessageConnection } from 'vscode-jsonrpc';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import {
  DebugHeldNotification, DebugPrepareRequest, DebugReleaseRequest, DoctorRequest, ErrorCodes, EventsNotification, HostProgressNotification, HostReconnectRequest, HostStateNotification,
  InitializeRequest, OutputNotification, ProcessListRequest,
  SessionAddProcessRequest, SessionInputRequest, SessionStartRequest, SessionStatsRequest, SessionStopRequest, ShutdownRequest,
  StateNotification, StatsNotification, SyscallSummaryNotification, SyscallSummaryRequest,
  type DebugHeldParams, type DebugPrepareParams, type DebugPrepareResult, type DoctorCheck, type EventsNotificationParams, type HostInfo, type HostProgressParams, type HostStateParams,
  type InitializeResult, type OutputNotificationParams, type ProcessInfo,
  type SessionStartParams, type SessionStartResult, type SessionStats, type StateNotificationParams, type SyscallSummaryRow,
} from '../../../remote-agent/src/protocol';
import type { AgentId } from './agentId';
import { describeAgentExit, type AgentExit, type AgentTransport } from './agentProcess';

/** Raised for requests made after the agent has gone. */
export class AgentGoneError extends Error {
  constructor(readonly exit: AgentExit) {
    super(describeAgentExit(exit));
    this.name = 'AgentGoneError';
  }
}

/**
 * A typed JSON-RPC client for one agent process: requests as methods, notifications as
 * events, and one `onDidExit` when the agent goes away (crash, kill or shutdown).
 * `agentId` names the registry entry it was started for (sessions are routed by it).
 * Requests pending at that moment are rejected with the agent's own last words.
 */
export class AgentClient {
  private readonly connection: MessageConnection;
  private exit: AgentExit | undefined;
  private readonly exitEmitter = new Emitter<AgentExit>();
  private readonly eventsEmitter = new Emitter<EventsNotificationParams>();
  private readonly stateEmitter = new Emitter<StateNotificationParams>();
  private readonly statsEmitter = new Emitter<SessionStats>();
  private readonly outputEmitter = new Emitter<OutputNotificationParams>();
  private readonly summaryEmitter = new Emitter<{ sessionId: string; rows: SyscallSummaryRow[] }>();
  private readonly heldEmitter = new Emitter<DebugHeldParams>();
  private readonly hostProgressEmitter = new Emitter<HostProgressParams>();
  private readonly hostStateEmitter = new Emitter<HostStateParams>();
  private readonly exitPromise: Promise<AgentExit>;
  initializeResult: InitializeResult | undefined;

  readonly onDidExit: Event<AgentExit> = this.exitEmitter.event;
  readonly onEvents: Event<EventsNotificationParams> = this.eventsEmitter.event;
  readonly onState: Event<StateNotificationParams> = this.stateEmitter.event;
  readonly onStats: Event<SessionStats> = this.statsEmitter.event;
  readonly onOutput: Event<OutputNotificationParams> = this.outputEmitter.event;
  readonly onSyscallSummary: Event<{ sessionId: string; rows: SyscallSummaryRow[] }> = this.summaryEmitter.event;
  /** a debuggee reported to a debug/prepare hold and waits at entry */
  readonly onDebugHeld: Event<DebugHeldParams> = this.heldEmitter.event;
  /** a remote host's agent: a step of connecting or deploying */
  readonly onHostProgress: Event<HostProgressParams> = this.hostProgressEmitter.event;
  /** a remote host's agent: the link to the host dropped or came back */
  readonly onHostState: Event<HostStateParams> = this.hostStateEmitter.event;

  constructor(readonly agentId: AgentId, private readonly transport: AgentTransport, private readonly log: (line: string) => void) {
    this.connection = createMessageConnection(transport.readable, transport.writable, {
      error: (m) => log(`[rpc] ${m}`),
      warn: (m) => log(`[rpc] ${m}`),
      info: () => undefined,
      log: () => undefined,
    });
    this.connection.onNotification(EventsNotification, (p) => this.eventsEmitter.fire(p));
    this.connection.onNotification(StateNotification, (p) => this.stateEmitter.fire(p));
    this.connection.onNotification(StatsNotification, (p) => this.statsEmitter.fire(p));
    this.connection.onNotification(OutputNotification, (p) => this.outputEmitter.fire(p));
    this.connection.onNotification(SyscallSummaryNotification, (p) => this.summaryEmitter.fire(p));
    this.connection.onNotification(DebugHeldNotification, (p) => this.heldEmitter.fire(p));
    this.connection.onNotification(HostProgressNotification, (p) => this.hostProgressEmitter.fire(p));
    this.connection.onNotification(HostStateNotification, (p) => this.hostStateEmitter.fire(p));
    this.connection.onUnhandledNotification((n) => log(`[rpc] unknown notification from the agent: ${n.method}`));
    this.connection.onError(([err]) => log(`[rpc] ${err.message}`));
    this.exitPromise = transport.exited.then((exit) => {
      this.exit = exit;
      log(describeAgentExit(exit));
      this.connection.dispose();
      this.exitEmitter.fire(exit);
      return exit;
    });
    this.connection.listen();
  }

  /** true once the agent has exited */
  get gone(): boolean {
    return this.exit !== undefined;
  }

  async initialize(clientName: string, clientVersion: string): Promise<InitializeResult> {
    this.initializeResult = await this.request(() => this.connection.sendRequest(InitializeRequest, { clientName, clientVersion }));
    return this.initializeResult;
  }

  startSession(params: SessionStartParams): Promise<SessionStartResult> {
    return this.request(() => this.connection.sendRequest(SessionStartRequest, params));
  }

  stopSession(sessionId: string): Promise<SessionStats> {
    return this.request(() => this.connection.sendRequest(SessionStopRequest, { sessionId }));
  }

  sessionStats(sessionId: string): Promise<SessionStats> {
    return this.request(() => this.connection.sendRequest(SessionStatsRequest, { sessionId }));
  }

  syscallSummary(sessionId: string): Promise<SyscallSummaryRow[]> {
    return this.request(() => this.connection.sendRequest(SyscallSummaryRequest, { sessionId }));
  }

  /** Writes bytes to a launched program's stdin. */
  input(sessionId: string, data: Buffer): Promise<void> {
    return this.request(() => this.connection.sendRequest(SessionInputRequest, { sessionId, data: data.toString('base64') }));
  }

  /** Follows another process (and its descendants) in a running session. */
  addProcess(sessionId: string, pid: number): Promise<void> {
    return this.request(() => this.connection.sendRequest(SessionAddProcessRequest, { sessionId, pid }));
  }

  /** A hold for a debuggee launched by a debug adapter, and the environment it gets (DebugPrepareRequest). */
  prepareDebug(params: DebugPrepareParams): Promise<DebugPrepareResult> {
    return this.request(() => this.connection.sendRequest(DebugPrepareRequest, params));
  }

  /** Lets a held pid run untraced, or (no pid) closes the hold. */
  releaseDebug(holdId: string, pid?: number): Promise<void> {
    return this.request(() => this.connection.sendRequest(DebugReleaseRequest, pid === undefined ? { holdId } : { holdId, pid }));
  }

  listProcesses(): Promise<ProcessInfo[]> {
    return this.request(() => this.connection.sendRequest(ProcessListRequest));
  }

  /** A remote host's agent: re-establishes the dropped link; resolves with the host as it is now. */
  async reconnect(): Promise<HostInfo> {
    const host = await this.request(() => this.connection.sendRequest(HostReconnectRequest));
    if (this.initializeResult) this.initializeResult = { ...this.initializeResult, host };
    return host;
  }

  doctor(): Promise<DoctorCheck[]> {
    return this.request(() => this.connection.sendRequest(DoctorRequest));
  }

  /** Asks the agent to stop its sessions and exit; kills it if it has not gone after `graceMs`. */
  async shutdown(graceMs = 4000): Promise<void> {
    if (this.exit) return;
    const timer = setTimeout(() => this.transport.kill(), graceMs);
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest), this.exitPromise]);
    } catch (err) {
      this.log(`shutdown request failed: ${(err as Error).message}`);
      this.transport.kill();
    }
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Ends the agent now without asking. */
  kill(): void {
    this.transport.kill();
  }

  private async request<T>(send: () => Promise<T>): Promise<T> {
    if (this.exit) throw new AgentGoneError(this.exit);
    try {
      const result = await Promise.race([send(), this.exitPromise.then((exit) => Promise.reject(new AgentGoneError(exit)))]);
      return result as T;
    } catch (err) {
      // requests pending when the agent died fail with its own last words, not "connection disposed"
      if (this.exit && !(err instanceof AgentGoneError)) throw new AgentGoneError(this.exit);
      throw err;
    }
  }
}

/** true when `err` is an agent error with the given ErrorCodes code */
export function isAgentError(err: unknown, code: number): err is ResponseError<unknown> {
  return err instanceof ResponseError && err.code === code;
}

/** The message to show for a failed request: the agent's own text, which says what went wrong and what to do. */
export function agentErrorMessage(err: unknown): string {
  if (err instanceof ResponseError) {
    if (err.code === ErrorCodes.MethodNotFound) return `The Runtime Lens agent does not support this request (${err.message}). Update the agent or the extension so both have the same version.`;
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
