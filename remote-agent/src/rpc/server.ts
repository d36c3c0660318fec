/*
 * The agent's JSON-RPC 2.0 server (vscode-jsonrpc): every request of
 * protocol.ts, params validated by hand, sessions with batched notifications.
 * Bad input gets an error response and the server keeps serving; nothing
 * listens on a network port — the transport is the pair of streams given.
 * Memory stays bounded whatever the client does: while the client has not
 * read OUTPUT_QUEUE_BYTES of output, event batches are dropped (and counted),
 * stats snapshots wait, and neither its requests nor the targets' output are
 * read, until it has read everything.
 */
import { machine, release } from 'node:os';
import type { Readable, Writable } from 'node:stream';
// from /node: installs the Node runtime layer (timers, encoders) vscode-jsonrpc needs
import { createMessageConnection, ResponseError, type MessageConnection, type NotificationType } from 'vscode-jsonrpc/node';
import type { Backend } from '../backend/backend';
import { PID_LIMIT, STACK_DEFAULT, STACK_MAX, STACK_MIN } from '../decode/layout';
import { platformBackend } from '../backend/platform';
import {
  DebugHeldNotification, DebugPrepareRequest, DebugReleaseRequest, DEFAULT_EVENT_GROUPS, DoctorRequest, ErrorCodes, EventsNotification, EVENT_GROUPS, InitializeRequest, OutputNotification,
  HostProgressNotification, HostReconnectRequest, HostStateNotification, ProcessListRequest, SessionAddProcessRequest, SessionInputRequest, SessionStartRequest, SessionStatsRequest, SessionStopRequest, ShutdownRequest,
  StateNotification, StatsNotification, SyscallSummaryNotification, SyscallSummaryRequest,
  type AgentCapabilities, type AttachTarget, type DebugTarget, type ErrorData, type EventGroup, type Fix, type HostInfo, type InitializeResult, type LaunchTarget, type SessionStartParams, type SessionTarget,
} from '../protocol';
import { Fixes, fixesText, SessionError } from '../trace/errors';
import { DebugHolds } from './debug-holds';
import { AGENT_VERSION } from '../version';
import { SafeMessageReader } from './message-reader';
import { BoundedMessageWriter } from './message-writer';
import { SessionHost, type SessionSink } from './session-host';
import { sessionRules } from '../rules/session-rules';
import type { RemoteHost } from '../backend/remote/remote-host';
import * as v from './validate';

/** Every request method this server answers (for MethodNotFound messages). */
const METHODS = [InitializeRequest, SessionStartRequest, SessionStopRequest, SessionStatsRequest, SessionInputRequest, SessionAddProcessRequest, SyscallSummaryRequest,
  ProcessListRequest, DoctorRequest, DebugPrepareRequest, DebugReleaseRequest, HostReconnectRequest, ShutdownRequest].map((t) => t.method);

/** What the server needs from its surroundings (replaceable in tests). */
export interface ServerDeps {
  /** this host's platform backend, or why there is none */
  backend: ReturnType<typeof platformBackend>;
  /** the probe binary, or an error saying why there is none */
  probe(): { path: string } | { error: string; fixes?: Fix[] };
  /** whether the probe can get its privileges: null when fine, else a problem */
  privilegeProblem(probePath: string): AgentCapabilities['problem'];
  /** the remote host this agent traces (agent --stdio --host): connected by initialize */
  remote?: RemoteHost;
  /** called after `shutdown` was answered */
  onShutdown(): void;
  log(message: string): void;
}

/** The deps of an agent for a remote host: its backend, probe and checks are the host's once initialize connected. */
export function remoteServerDeps(remote: RemoteHost, onShutdown: () => void): ServerDeps {
  return {
    get backend() { return remote.backend; },
    remote,
    probe: () => remote.backend.probe.locate(),
    privilegeProblem: () => null,
    onShutdown,
    log: (m) => process.stderr.write(`runtime-lens agent (${remote.link.target.text}): ${m}\n`),
  };
}

/** A client that keeps not reading is mentioned in the log again only after this long without it. */
const FULL_LOG_MS = 10_000;

/** The default deps: this host's backend, its probe and its checks. */
export function systemServerDeps(onShutdown: () => void): ServerDeps {
  const backend = platformBackend();
  return {
    backend,
    probe: () => ('problem' in backend ? { error: backend.problem.message } : backend.probe.locate()),
    privilegeProblem: (probePath) => ('problem' in backend ? backend.problem : backend.probe.privilegeProblem(probePath)),
    onShutdown,
    log: (m) => process.stderr.write(`runtime-lens agent: ${m}\n`),
  };
}

function toResponseError(e: unknown): ResponseError<unknown> {
  if (e instanceof ResponseError) return e;
  if (e instanceof SessionError) {
    const message = e.fixes.length ? `${e.message} (fix: ${fixesText(e.fixes)})` : e.message;
    return new ResponseError<ErrorData>(e.code, message, { fixes: e.fixes });
  }
  return new ResponseError(ErrorCodes.InternalError, `internal error: ${e instanceof Error ? e.message : String(e)}`);
}

/** Validates a session/start target; a protocol-1 client's target without `kind` is understood from `command` or `pid`. */
function parseTarget(t: Record<string, unknown>): SessionTarget {
  const kind = t.kind ?? ('command' in t ? 'launch' : 'pid' in t ? 'attach' : undefined);
  switch (kind) {
    case 'attach': {
      v.onlyKeys(t, 'target', ['kind', 'pid', 'comm', 'cmdline']);
      const target: AttachTarget = { kind: 'attach', pid: v.integer(t.pid, 'target.pid', { min: 1, max: 2 ** 22 })! };
      const comm = v.string(t.comm, 'target.comm', { optional: true });
      if (comm !== undefined) target.comm = comm;
      const cmdline = v.string(t.cmdline, 'target.cmdline', { optional: true });
      if (cmdline !== undefined) target.cmdline = cmdline;
      return target;
    }
    case 'debug': {
      v.onlyKeys(t, 'target', ['kind', 'pid', 'name', 'debugType', 'holdId']);
      const target: DebugTarget = {
        kind: 'debug', pid: v.integer(t.pid, 'target.pid', { min: 1, max: 2 ** 22 })!,
        name: v.string(t.name, 'target.name')!, debugType: v.string(t.debugType, 'target.debugType')!,
      };
      const holdId = v.string(t.holdId, 'target.holdId', { optional: true, nonEmpty: true });
      if (holdId !== undefined) target.holdId = holdId;
      return target;
    }
    case 'launch': {
      v.onlyKeys(t, 'target', ['kind', 'command', 'cwd', 'env', 'stdio']);
      const launch: LaunchTarget = { kind: 'launch', command: v.stringArray(t.command, 'target.command', { nonEmpty: true })! };
      if (launch.command[0] === '') v.invalid('target.command[0]', 'a non-empty program name', '');
      const cwd = v.string(t.cwd, 'target.cwd', { optional: true, nonEmpty: true });
      if (cwd !== undefined) launch.cwd = cwd;
      const env = v.stringRecord(t.env, 'target.env');
      if (env) launch.env = env;
      launch.stdio = v.oneOf(t.stdio, 'target.stdio', ['inherit', 'pipe', 'null'] as const) ?? 'pipe';
      return launch;
    }
    default:
      return v.invalid('target', 'an object with "pid" (attach) or "command" (launch) and its "kind" ("launch", "attach" or "debug")', t);
  }
}

/** A running server on one connection. */
export class AgentServer {
  readonly connection: MessageConnection;
  private readonly writer: BoundedMessageWriter;
  private readonly sessions = new Map<string, SessionHost>();
  private readonly heldSnapshots = new Map<string, () => void>();
  private readonly holds = new DebugHolds((holdId, pid) => this.notify(DebugHeldNotification, { holdId, pid }), (m) => this.deps.log(m));
  private fullLoggedAt = -Infinity;
  private nextId = 1;
  private initialized = false;
  private shuttingDown = false;
  private closed = false;

  constructor(input: Readable, output: Writable, private readonly deps: ServerDeps, outputQueueBytes?: number) {
    this.writer = new BoundedMessageWriter(output, outputQueueBytes);
    const reader = new SafeMessageReader(input, (id, code, message) => {
      this.deps.log(message);
      this.writer.write({ jsonrpc: '2.0', id, error: { code, message } } as never).catch(() => { /* client gone */ });
    });
    this.writer.onFullChange((full) => {
      reader.hold(full);
      for (const s of this.sessions.values()) s.holdOutput(full);
      if (full) {
        const now = Date.now();
        if (now - this.fullLoggedAt >= FULL_LOG_MS) this.deps.log(`the client has not read ${this.writer.pendingBytes} bytes: event batches are dropped and counted as lost ("client not reading") until it reads them`);
        this.fullLoggedAt = now;
        return;
      }
      for (const send of this.heldSnapshots.values()) send();
      this.heldSnapshots.clear();
    });
    this.connection = createMessageConnection(reader, this.writer, {
      error: (m) => deps.log(m), warn: (m) => deps.log(m), info: () => {}, log: () => {},
    });
    this.register();
    this.connection.onClose(() => { this.closed = true; void this.stopAll().finally(() => this.holds.closeAll()); });
    this.connection.listen();
  }

  /** Sends a snapshot notification, or keeps only the latest per session while the client is not reading (sent when it has read). */
  private snapshot<P extends { sessionId: string }>(type: NotificationType<P>, params: P): void {
    if (this.writer.full) this.heldSnapshots.set(`${type.method} ${params.sessionId}`, () => this.notify(type, params));
    else this.notify(type, params);
  }

  /** Sends a notification unless the client has gone (then there is no one to tell; sessions are being stopped). */
  private notify<P>(type: NotificationType<P>, params: P): void {
    if (this.closed) return;
    try {
      void (this.connection.sendNotification as (t: NotificationType<P>, p: P) => Promise<void>)(type, params).catch((e: Error) => this.deps.log(`notification ${type.method} not sent: ${e.message}`));
    } catch (e) {
      this.deps.log(`notification ${type.method} not sent: ${(e as Error).message}`);
    }
  }

  private sink(): SessionSink {
    return {
      events: (sessionId, events) => {
        if (this.writer.full) return false;
        this.notify(EventsNotification, { sessionId, events });
        return true;
      },
      state: (p) => this.notify(StateNotification, p),
      stats: (s) => this.snapshot(StatsNotification, s),
      output: (sessionId, stream, data) => this.notify(OutputNotification, { sessionId, stream, data: data.toString('base64') }),
      syscallSummary: (sessionId, rows) => this.snapshot(SyscallSummaryNotification, { sessionId, rows }),
      log: (m) => this.deps.log(m),
    };
  }

  /** Wraps a handler: initialized check, error mapping. */
  private handle<P, R>(method: string, fn: (params: P) => R | Promise<R>, needsInit = true): (params: P) => Promise<R> {
    return async (params: P) => {
      if (needsInit && !this.initialized) throw new ResponseError(ErrorCodes.NotInitialized, `${method}: send "initialize" first`);
      try {
        return await fn(params);
      } catch (e) {
        throw toResponseError(e);
      }
    };
  }

  /** The platform backend; an error when this host has none. */
  private backend(): Backend {
    const b = this.deps.backend;
    if ('problem' in b) throw new ResponseError(b.problem.code, b.problem.message, { fixes: b.problem.fixes });
    return b;
  }

  private session(params: unknown): SessionHost {
    const p = v.object(params);
    const id = v.string(p.sessionId, 'sessionId', { nonEmpty: true })!;
    const s = this.sessions.get(id);
    if (!s) throw new ResponseError(ErrorCodes.NoSuchSession, `no session "${id}"; start one with session/start`);
    return s;
  }

  private register(): void {
    const c = this.connection;
    c.onRequest(InitializeRequest, this.handle('initialize', (params) => this.initialize(params), false));
    c.onRequest(SessionStartRequest, this.handle('session/start', (params) => this.start(params)));
    c.onRequest(SessionStopRequest, this.handle('session/stop', async (params) => {
      const s = this.session(params);
      v.onlyKeys(params as never, 'params', ['sessionId']);
      await s.stop();
      return s.stats();
    }));
    c.onRequest(SessionStatsRequest, this.handle('session/stats', (params) => {
      const s = this.session(params);
      v.onlyKeys(params as never, 'params', ['sessionId']);
      s.refresh();
      return s.stats();
    }));
    c.onRequest(SessionInputRequest, this.handle('session/input', (params) => {
      const s = this.session(params);
      const p = params as unknown as Record<string, unknown>;
      v.onlyKeys(p, 'params', ['sessionId', 'data']);
      const data = v.string(p.data, 'data')!;
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) v.invalid('data', 'base64 text', data);
      s.input(Buffer.from(data, 'base64'));
    }));
    c.onRequest(SessionAddProcessRequest, this.handle('session/addProcess', async (params) => {
      const s = this.session(params);
      const p = params as unknown as Record<string, unknown>;
      v.onlyKeys(p, 'params', ['sessionId', 'pid']);
      const pid = v.integer(p.pid, 'pid', { min: 1, max: PID_LIMIT - 1 })!;
      // a held debuggee runs once it is followed, or when it could not be
      try { await s.addProcess(pid); } finally { this.holds.releaseAnywhere(pid); }
    }));
    c.onRequest(DebugPrepareRequest, this.handle('debug/prepare', (params) => this.holds.prepare(params)));
    c.onRequest(DebugReleaseRequest, this.handle('debug/release', (params) => this.holds.release(params)));
    c.onRequest(SyscallSummaryRequest, this.handle('session/syscallSummary', (params) => {
      const s = this.session(params);
      s.refresh();
      return s.summary();
    }));
    c.onRequest(ProcessListRequest, this.handle('processes/list', async () => {
      const host = this.backend().host;
      await host.refresh?.();
      return host.list();
    }));
    c.onRequest(HostReconnectRequest, this.handle('host/reconnect', () => this.connectHost()));
    c.onRequest(DoctorRequest, this.handle('doctor', () => this.backend().doctor()));
    c.onRequest((method: string) => {
      throw new ResponseError(ErrorCodes.MethodNotFound, `unknown method "${method}"; this agent serves: ${METHODS.join(', ')}`);
    });
    c.onRequest(ShutdownRequest, this.handle('shutdown', async () => {
      this.shuttingDown = true;
      await this.stopAll();
      this.holds.closeAll();
      setImmediate(() => this.deps.onShutdown());
    }, false));
  }

  /** Connects the remote host (initialize, host/reconnect): progress and the link's state go to the client. */
  private async connectHost(): Promise<HostInfo> {
    const remote = this.deps.remote;
    if (!remote) throw new ResponseError(ErrorCodes.InvalidRequest, 'this agent traces the local machine: start it with --host to reach a remote one');
    remote.on = {
      progress: (message) => this.notify(HostProgressNotification, { message }),
      disconnected: (reason) => this.notify(HostStateNotification, { state: 'disconnected', reason, missed: 'unknown' }),
    };
    const info = await remote.connect();
    this.notify(HostStateNotification, { state: 'connected' });
    return info;
  }

  private async initialize(params: unknown): Promise<InitializeResult> {
    const p = v.object(params);
    v.onlyKeys(p, 'params', ['clientName', 'clientVersion']);
    v.string(p.clientName, 'clientName', { nonEmpty: true });
    v.string(p.clientVersion, 'clientVersion', { optional: true });
    const host = this.deps.remote ? await this.connectHost() : undefined;
    this.initialized = true;
    const probe = this.deps.probe();
    let problem: AgentCapabilities['problem'];
    if ('problem' in this.deps.backend) {
      problem = this.deps.backend.problem;
    } else if ('error' in probe) {
      problem = { code: ErrorCodes.ProbeFailed, message: probe.error, fixes: probe.fixes ?? [Fixes.advice('make -C bpf/linux'), Fixes.advice('or set LENS_PROBE=/path/to/lens-probe')] };
    } else {
      problem = this.deps.privilegeProblem(probe.path);
    }
    const arch = host?.arch ?? machine();
    return {
      agentVersion: AGENT_VERSION,
      protocolVersion: 1,
      capabilities: {
        platform: host ? 'linux' : process.platform, arch, kernel: host?.kernel ?? release(), events: [...EVENT_GROUPS], attach: true, stacks: arch === 'x86_64', problem,
      },
      ...(host ? { host } : {}),
    };
  }

  private parseStart(params: unknown): SessionStartParams {
    const p = v.object(params);
    v.onlyKeys(p, 'params', ['target', 'events', 'syscalls', 'redact', 'ringbufBytes', 'stacks', 'stackBytes', 'rules']);
    const target = parseTarget(v.object(p.target, 'target'));
    const out: SessionStartParams = { target };
    const events = v.stringArray(p.events, 'events', { optional: true, nonEmpty: true, oneOf: EVENT_GROUPS });
    if (events) out.events = events as EventGroup[];
    const syscalls = v.stringArray(p.syscalls, 'syscalls', { optional: true });
    if (syscalls) out.syscalls = syscalls;
    const redact = v.boolean(p.redact, 'redact');
    if (redact !== undefined) out.redact = redact;
    const rb = v.integer(p.ringbufBytes, 'ringbufBytes', { optional: true, min: 4096, max: 2 ** 30 });
    if (rb !== undefined) {
      if ((rb & (rb - 1)) !== 0) v.invalid('ringbufBytes', 'a power of two >= 4096', String(rb));
      out.ringbufBytes = rb;
    }
    const stacks = v.boolean(p.stacks, 'stacks');
    if (stacks !== undefined) out.stacks = stacks;
    const sb = v.integer(p.stackBytes, 'stackBytes', { optional: true, min: STACK_MIN, max: STACK_MAX });
    if (sb !== undefined) out.stackBytes = sb;
    if (p.rules !== undefined) {
      const r = v.object(p.rules, 'rules');
      v.onlyKeys(r, 'rules', ['files', 'disabled', 'defaults']);
      out.rules = {};
      const files = v.stringArray(r.files, 'rules.files', { optional: true });
      if (files) out.rules.files = files;
      const disabled = v.stringArray(r.disabled, 'rules.disabled', { optional: true });
      if (disabled) out.rules.disabled = disabled;
      const defaults = v.boolean(r.defaults, 'rules.defaults');
      if (defaults !== undefined) out.rules.defaults = defaults;
    }
    return out;
  }

  private async start(params: unknown) {
    if (this.shuttingDown) throw new ResponseError(ErrorCodes.InvalidRequest, 'the agent is shutting down');
    const p = this.parseStart(params);
    const probe = this.deps.probe();
    if ('error' in probe) throw new ResponseError(ErrorCodes.ProbeFailed, probe.error);
    const id = `s${this.nextId++}`;
    const host = new SessionHost(id, this.sink());
    // 'inherit' would mix the target's output into the JSON-RPC stream: the agent's stdio is the protocol.
    // A debug target is traced from its pid, as an attach is.
    const t = p.target;
    const target: LaunchTarget | AttachTarget = t.kind === 'launch' ? { ...t, stdio: t.stdio === 'inherit' ? 'null' : t.stdio } : { kind: 'attach', pid: t.pid };
    // a held debuggee's session reads the report channels its environment names
    const hold = t.kind === 'debug' && t.holdId !== undefined ? this.holds.get(t.holdId) : undefined;
    const rules = sessionRules(p.rules);
    this.sessions.set(id, host);
    try {
      const pid = await host.start({
        rules: rules.compiled,
        backend: this.backend(), target, events: p.events ?? [...DEFAULT_EVENT_GROUPS], syscalls: p.syscalls, ringbufBytes: p.ringbufBytes,
        stackBytes: p.stacks ? p.stackBytes ?? STACK_DEFAULT : undefined, redact: p.redact ?? true, probePath: probe.path,
        ...(hold ? { reports: { node: hold.node, python: hold.python } } : {}),
      });
      if (this.writer.full) host.holdOutput(true);
      return { sessionId: id, pid, rules: { active: rules.compiled.length, problems: rules.errors } };
    } catch (e) {
      this.sessions.delete(id);
      throw e;
    } finally {
      if (t.kind === 'debug') this.holds.releaseAnywhere(t.pid);
    }
  }

  /** Stops every session (connection closed or shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.stop()));
    this.deps.remote?.detach();
  }
}
