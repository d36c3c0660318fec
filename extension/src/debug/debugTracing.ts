/*
 * Tracing VS Code debug sessions: the configuration provider's part (decides
 * from the `runtimeLens` attribute and runtimeLens.traceDebugSessions, asks
 * the agent for a hold and puts it in front of the debuggee's runtime), the
 * adapter trackers' part (every message of a debug session and of its child
 * sessions goes to the DebugTrace of its root), and the Runtime Lens session
 * each run of the debuggee gets. The VS Code API it needs is injected, so a
 * test drives it with a real debug adapter and a real agent.
 */
import { Emitter, type Event } from 'vscode-jsonrpc';
import type { AgentClient } from '../agent/agentClient';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import { DebugTrace, NO_PID_MS, type DapMessage, type TracedSession } from './debugTrace';
import { debugTraceDecision, type DebugTraceOptions, type TraceDebugSessions } from './debugOptions';
import { canHold, userEnvFor, withHold, type LaunchConfig } from './launchHold';

/** The attribute the provider adds to a traced configuration (read back by the trackers). */
export const TRACE_KEY = '__runtimeLensTrace';

/** A debug session as trackers see it (vscode.DebugSession's fields read here). */
export interface DebugSessionLike {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly configuration: Record<string, unknown>;
  readonly parentSession?: DebugSessionLike;
}

/** What a tracker gets (vscode.DebugAdapterTracker's methods used here). */
export interface TrackerLike {
  onWillReceiveMessage(message: unknown): void;
  onDidSendMessage(message: unknown): void;
}

/** The user-facing side: questions, warnings, the attach offer. */
export interface DebugTracingUi {
  /** "Trace "NAME" with Runtime Lens?" (runtimeLens.traceDebugSessions: ask) */
  ask(name: string): Promise<boolean>;
  warn(message: string): void;
  /** a start refused (privileges: the usual fixes are offered) */
  refused(err: unknown): void;
  /** no pid: offer Attach to Process among `candidates` (processes whose command line names the program) */
  offerAttach(message: string, candidates: () => Promise<{ pid: number; label: string }[]>, attach: (pid: number) => void): void;
}

export interface DebugTracingDeps {
  client(): Promise<AgentClient>;
  sessions: SessionManager;
  setting(): TraceDebugSessions;
  hostEnv: NodeJS.ProcessEnv;
  ui: DebugTracingUi;
  now(): number;
  /** runs `f` after `ms` (the no-pid offer); returns a cancel */
  later(ms: number, f: () => void): () => void;
  log(line: string): void;
}

/** One traced configuration: its trace, the agent it was prepared on, the hold (if its runtime is wrapped). */
interface Prepared {
  key: string;
  trace: DebugTrace;
  client: AgentClient;
  options: DebugTraceOptions;
  holdId?: string;
  debugType: string;
  program?: string;
  /** the root debug session bound to it */
  root?: DebugSessionLike;
  cancelTimer?: () => void;
  /** Runtime Lens sessions of its runs, newest last */
  sessions: Session[];
  heldSub?: { dispose(): void };
}

/** How long a hold is kept after its debug session ended (VS Code may restart it with the same configuration). */
const HOLD_KEEP_MS = 30_000;

/** Debug sessions traced in this window. */
export class DebugTracing {
  private readonly byKey = new Map<string, Prepared>();
  private readonly byRoot = new Map<string, Prepared>();
  private nextKey = 1;
  private readonly traceEmitter = new Emitter<DebugTrace | undefined>();
  private active: DebugTrace | undefined;
  /** the trace of the debug session VS Code shows (the latest one started) */
  readonly onDidChangeActive: Event<DebugTrace | undefined> = this.traceEmitter.event;

  constructor(private readonly deps: DebugTracingDeps) {}

  get activeTrace(): DebugTrace | undefined {
    return this.active;
  }

  /** The Runtime Lens session of a trace's current run. */
  sessionOf(trace: DebugTrace): Session | undefined {
    for (const p of this.byKey.values()) if (p.trace === trace) return p.sessions[p.sessions.length - 1];
    return undefined;
  }

  /**
   * DebugConfigurationProvider.resolveDebugConfigurationWithSubstitutedVariables: a configuration
   * to trace gets the hold in front of its runtime (known debug types) and the trace's key.
   */
  async resolve(config: LaunchConfig, workspaceFolder?: string): Promise<LaunchConfig | undefined> {
    if (config[TRACE_KEY] !== undefined) return config; // resolved before (a restart)
    const decision = debugTraceDecision(config.runtimeLens, this.deps.setting(), workspaceFolder);
    if (decision.trace === 'no') return config;
    if (decision.trace === 'ask' && !(await this.deps.ui.ask(config.name))) return config;
    for (const p of decision.problems) this.deps.ui.warn(p);
    let client: AgentClient;
    try {
      client = await this.deps.client();
    } catch (e) {
      this.deps.ui.warn(`Runtime Lens cannot trace "${config.name}": ${(e as Error).message}`);
      return config;
    }
    const key = `t${this.nextKey++}`;
    const prepared: Prepared = {
      key, client, options: decision.options, debugType: config.type, sessions: [],
      program: typeof config.program === 'string' ? config.program : typeof config.module === 'string' ? config.module : undefined,
      trace: undefined as unknown as DebugTrace,
    };
    prepared.trace = new DebugTrace(config.name, {
      start: (pid, held) => this.start(prepared, pid, held),
      release: (pid) => { if (prepared.holdId) void client.releaseDebug(prepared.holdId, pid).catch(() => undefined); },
      warn: (m) => this.deps.ui.warn(m),
      offerAttach: (m) => this.deps.ui.offerAttach(m, () => this.candidates(prepared), (pid) => prepared.trace.fromAdapter({ type: 'event', event: 'process', body: { systemProcessId: pid } })),
      now: () => this.deps.now(),
    });
    // the run's session keeps its steps (the events view marks them)
    prepared.trace.onDidChangeStep(() => prepared.sessions[prepared.sessions.length - 1]?.setSteps(prepared.trace.steps.map((s) => ({ ...s }))));
    let out: LaunchConfig = { ...config, [TRACE_KEY]: key };
    if (canHold(config)) {
      try {
        const result = await client.prepareDebug({ env: userEnvFor(config, this.deps.hostEnv) });
        prepared.holdId = result.holdId;
        prepared.heldSub = client.onDebugHeld((h) => { if (h.holdId === result.holdId) prepared.trace.held(h.pid); });
        out = withHold(out, result);
      } catch (e) {
        this.deps.ui.warn(`Runtime Lens could not hold "${config.name}" at its start, so its first events may be missed: ${(e as Error).message}`);
      }
    }
    this.byKey.set(key, prepared);
    this.deps.log(`debug configuration "${config.name}" (${config.type}) traced${prepared.holdId ? ` through hold ${prepared.holdId}` : ' from the pid its adapter reports'}`);
    return out;
  }

  /** DebugAdapterTrackerFactory.createDebugAdapterTracker: the root of a traced configuration, or a child of one. */
  tracker(session: DebugSessionLike): TrackerLike | undefined {
    let root = session;
    while (root.parentSession) root = root.parentSession;
    let prepared = this.byRoot.get(root.id);
    if (!prepared) {
      const key = root.configuration[TRACE_KEY];
      prepared = typeof key === 'string' ? this.byKey.get(key) : undefined;
      if (!prepared) return undefined;
      prepared.cancelTimer?.();
      prepared.root = root;
      this.byRoot.set(root.id, prepared);
      const trace = prepared.trace;
      prepared.cancelTimer = this.deps.later(NO_PID_MS, () => trace.noPidYet());
      this.setActive(trace);
    }
    const trace = prepared.trace;
    const isRoot = session.id === root.id;
    return {
      onWillReceiveMessage: (m) => trace.toAdapter(m as DapMessage),
      onDidSendMessage: (m) => trace.fromAdapter(m as DapMessage, isRoot),
    };
  }

  /** vscode.debug.onDidTerminateDebugSession: a root's end ends its trace (children end with their processes). */
  async terminated(session: DebugSessionLike): Promise<void> {
    const prepared = this.byRoot.get(session.id);
    if (!prepared) return;
    this.byRoot.delete(session.id);
    prepared.cancelTimer?.();
    await prepared.trace.ended();
    if (this.active === prepared.trace) this.setActive(undefined);
    // a restart of the same configuration binds it again before this runs
    prepared.cancelTimer = this.deps.later(HOLD_KEEP_MS, () => this.forget(prepared));
  }

  dispose(): void {
    for (const p of this.byKey.values()) this.forget(p);
    this.traceEmitter.dispose();
  }

  private forget(p: Prepared): void {
    if (p.root && this.byRoot.get(p.root.id) === p) return; // bound again
    this.byKey.delete(p.key);
    p.cancelTimer?.();
    p.heldSub?.dispose();
    if (p.holdId) void p.client.releaseDebug(p.holdId).catch(() => undefined);
    p.trace.dispose();
  }

  private setActive(trace: DebugTrace | undefined): void {
    this.active = trace;
    this.traceEmitter.fire(trace);
  }

  /** Starts the Runtime Lens session of one run, named after the debug session. */
  private async start(p: Prepared, pid: number, held: boolean): Promise<TracedSession> {
    const name = p.root?.name ?? p.trace.name;
    let session: Session;
    try {
      session = await this.deps.sessions.start(p.client, { kind: 'debug', pid, name, debugType: p.debugType, ...(held && p.holdId ? { holdId: p.holdId } : {}) }, name, undefined, p.options);
    } catch (e) {
      this.deps.ui.refused(e);
      throw e;
    }
    p.sessions.push(session);
    session.setSteps(p.trace.steps.map((s) => ({ ...s })));
    this.deps.log(`debug session "${name}": Runtime Lens session ${session.id} traces pid ${pid}${held ? ' (held at entry)' : ''}${session.file ? ` -> ${session.file}` : ''}`);
    const sessions = this.deps.sessions;
    return {
      get live() { return session.live; },
      addProcess: (added) => sessions.addProcess(session, added),
      stop: () => sessions.stop(session),
    };
  }

  /** Processes that may be the debuggee: their command line names its program, newest first. */
  private async candidates(p: Prepared): Promise<{ pid: number; label: string }[]> {
    const all = await p.client.listProcesses();
    const program = p.program?.split(/[\\/]/).pop();
    const likely = program ? all.filter((proc) => proc.cmdline.includes(program)) : all;
    return likely.sort((a, b) => b.startTime - a.startTime).map((proc) => ({ pid: proc.pid, label: `${proc.pid} ${proc.cmdline || proc.comm}` }));
  }
}
