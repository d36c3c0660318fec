import * as path from 'node:path';
import { Emitter, type Disposable, type Event } from 'vscode-jsonrpc';
import type {
  EventGroup, EventsNotificationParams, OutputNotificationParams, SessionStats, StateNotificationParams, SyscallSummaryRow,
} from '../../../remote-agent/src/protocol';
import { redactArgv, redactCommandLine } from '../../../remote-agent/src/redact/redact';
import { agentErrorMessage, type AgentClient } from '../agent/agentClient';
import { agentLabel, hostOfAgent, type AgentId } from '../agent/agentId';
import { describeAgentExit } from '../agent/agentProcess';
import type { Clock } from '../util/clock';
import { disconnectedMessage } from '../views/format';
import { Session } from './session';
import { applyWorkspaceSource } from './workspaceSource';
import { readSessionFile, SessionRecorder, sessionFileName, targetProgram, type SessionTarget } from './sessionFile';

/** Settings a session is started with (read from runtimeLens.* when a session starts). */
export interface SessionSettings {
  sessionsDirectory: string;
  maxEventsInMemory: number;
  events: EventGroup[];
  redact: boolean;
  /** exec, file, net and dns events carry the stack and source line that caused them */
  stacks?: boolean;
  /** the window's workspace folders and mapped roots, as paths on the traced machine: an event's source is its innermost frame in them */
  sourceRoots?: string[];
  /** rule files and rules disabled for the workspace (the developer ruleset always runs first) */
  rules?: { files: string[]; disabled: string[] };
}

export interface SessionManagerOptions {
  clock: Clock;
  log: (line: string) => void;
  settings: () => SessionSettings;
}

/** Notifications for a session id the extension has not registered yet (they can precede the start response). */
type Pending =
  | { type: 'events'; p: EventsNotificationParams }
  | { type: 'state'; p: StateNotificationParams }
  | { type: 'stats'; p: SessionStats }
  | { type: 'output'; p: OutputNotificationParams }
  | { type: 'summary'; p: { sessionId: string; rows: SyscallSummaryRow[] } };

const MAX_PENDING = 10000;

/** Where an agent's notification goes: agent session ids are unique only within their agent. */
function routeKey(agentId: AgentId, sessionId: string): string {
  return JSON.stringify([agentId, sessionId]);
}

/** A target as sessions show and record it: the launched argv and the attached command line redacted. */
function redactTarget(target: SessionTarget): SessionTarget {
  if (target.kind === 'launch') return { ...target, command: redactArgv(target.command) };
  if (target.kind === 'attach' && target.cmdline) return { ...target, cmdline: redactCommandLine(target.cmdline) };
  return target;
}

/** A target as sessions show and record it: what was traced, never the environment it was given. */
function shownTarget(target: SessionTarget, redact: boolean): SessionTarget {
  const shown = target.kind === 'launch' ? { kind: target.kind, command: target.command, cwd: target.cwd }
    : target.kind === 'debug' ? { kind: target.kind, pid: target.pid, name: target.name, debugType: target.debugType } : target;
  return redact ? redactTarget(shown) : shown;
}

/**
 * Owns every session of the window: starts them on an agent, routes each agent's
 * notifications to them by (agent id, agent session id), records them to files, reopens files, marks live
 * sessions failed when their agent dies, and tracks the current session that
 * the views show.
 */
export class SessionManager implements Disposable {
  private readonly list: Session[] = [];
  /** live and ended sessions of the agents, by routeKey */
  private readonly routes = new Map<string, Session>();
  private readonly clientOf = new Map<Session, AgentClient>();
  /** each live session's source roots, as they were when it started */
  private readonly sourceRootsOf = new WeakMap<Session, string[]>();
  private readonly pending = new Map<string, Pending[]>();
  private startsInFlight = 0;
  private nextId = 1;
  private currentSession: Session | undefined;
  private readonly sessionsEmitter = new Emitter<void>();
  private readonly currentEmitter = new Emitter<Session | undefined>();
  private readonly changeEmitter = new Emitter<Session>();
  private readonly subscriptions: Disposable[] = [];
  /** a session was added or removed */
  readonly onDidChangeSessions: Event<void> = this.sessionsEmitter.event;
  /** the session the views show changed */
  readonly onDidChangeCurrent: Event<Session | undefined> = this.currentEmitter.event;
  /** any session's state or stats changed */
  readonly onDidChangeSession: Event<Session> = this.changeEmitter.event;

  constructor(private readonly options: SessionManagerOptions) {}

  get sessions(): readonly Session[] {
    return this.list;
  }

  get current(): Session | undefined {
    return this.currentSession;
  }

  setCurrent(session: Session | undefined): void {
    if (session === this.currentSession) return;
    this.currentSession = session;
    this.currentEmitter.fire(session);
  }

  /** Live sessions (the ones Stop applies to). */
  liveSessions(): Session[] {
    return this.list.filter((s) => s.live);
  }

  /** Routes an agent's notifications to its sessions; when it exits, its live sessions fail with its message. */
  bindAgent(client: AgentClient): Disposable {
    const id = client.agentId;
    const subs = [
      client.onEvents((p) => this.route(id, { type: 'events', p })),
      client.onState((p) => this.route(id, { type: 'state', p })),
      client.onStats((p) => this.route(id, { type: 'stats', p })),
      client.onOutput((p) => this.route(id, { type: 'output', p })),
      client.onSyscallSummary((p) => this.route(id, { type: 'summary', p })),
      client.onDidExit((exit) => {
        const message = describeAgentExit(exit);
        for (const [session, owner] of this.clientOf) {
          if (owner === client && session.live) this.finish(session, 'failed', { message });
        }
      }),
    ];
    const binding = { dispose: () => subs.forEach((s) => s.dispose()) };
    this.subscriptions.push(binding);
    return binding;
  }

  /**
   * Starts tracing on `client`. Resolves with the running session; rejects with
   * the agent's message (unknown command, exited pid, missing privileges...).
   * `onCreated` runs before any event or output is delivered (to attach a terminal).
   * With redaction on, the session's title and target (and so its views and file
   * header) are redacted; the file is named by time and program, never arguments.
   */
  async start(
    client: AgentClient, target: SessionTarget, title: string, onCreated?: (session: Session) => void,
    overrides: Partial<Pick<SessionSettings, 'events' | 'stacks'>> & { rules?: string[] } = {},
  ): Promise<Session> {
    // a debug configuration's runtimeLens attribute may choose its own events and stacks, and add rule files
    const { rules: moreRules, ...replaced } = overrides;
    const settings = withRuleFiles({ ...this.options.settings(), ...replaced }, moreRules);
    // the agent runs the command as given; the session, its views and its file show it redacted, like the events
    const shown = shownTarget(target, settings.redact);
    const id = `s${this.nextId++}`;
    const session = new Session({
      id, title: settings.redact ? redactCommandLine(title) : title, target: shown, fromFile: false, maxEventsInMemory: settings.maxEventsInMemory, clock: this.options.clock,
      agentId: client.agentId,
      host: hostOfAgent(client.agentId),
      agentLabel: client.initializeResult ? `${agentLabel(client.agentId)} ${client.initializeResult.agentVersion}` : agentLabel(client.agentId),
    });
    this.startsInFlight++;
    try {
      const result = await client.startSession({
        // the agent gets what it traces; an attach's name and command line are the extension's labels
        target: target.kind === 'launch' ? { ...target, stdio: 'pipe' } : target.kind === 'attach' ? { kind: 'attach', pid: target.pid } : target,
        events: settings.events,
        redact: settings.redact,
        ...(settings.stacks ? { stacks: true } : {}),
        ...(settings.rules && (settings.rules.files.length || settings.rules.disabled.length) ? { rules: settings.rules } : {}),
      });
      session.agentSessionId = result.sessionId;
      if (settings.sourceRoots?.length) this.sourceRootsOf.set(session, settings.sourceRoots);
      session.targetPid = result.pid;
      const startedAt = this.options.clock.now();
      const file = path.join(settings.sessionsDirectory, sessionFileName(startedAt, targetProgram(target)));
      try {
        session.recorder = new SessionRecorder(file, {
          runtimeLens: 'session', version: 1, title: session.title, target: shown, startedAt,
          agentVersion: client.initializeResult?.agentVersion, events: settings.events,
          ...(session.host ? { host: session.host } : {}),
        }, (err) => session.setProblem(err.message));
        session.file = session.recorder.file;
      } catch (err) {
        session.setProblem(`Runtime Lens could not create the session file ${file}: ${(err as Error).message}. Check the setting runtimeLens.sessionsDirectory.`);
      }
      onCreated?.(session);
      this.add(session, client);
      session.setState('running');
      const key = routeKey(client.agentId, result.sessionId);
      this.routes.set(key, session);
      this.drainPending(key, session);
      return session;
    } catch (err) {
      session.dispose();
      throw new Error(agentErrorMessage(err), { cause: err });
    } finally {
      this.startsInFlight--;
      if (this.startsInFlight === 0) this.dropUnclaimed();
    }
  }

  /** Stops a live session; the agent's final stats and state follow. */
  async stop(session: Session): Promise<void> {
    const client = this.clientOf.get(session);
    if (!session.live || !client || !session.agentSessionId) return;
    session.markStopping();
    const stats = await client.stopSession(session.agentSessionId);
    session.setStats(stats);
    if (session.live) this.finish(session, stats.state === 'exited' ? 'exited' : 'stopped', {});
  }

  /** Follows another process (and its descendants) in a live session. */
  async addProcess(session: Session, pid: number): Promise<void> {
    const client = this.clientOf.get(session);
    if (!client || !session.agentSessionId || !session.live) throw new Error(`the session "${session.title}" has ended: pid ${pid} cannot be added to it`);
    await client.addProcess(session.agentSessionId, pid);
  }

  /** Writes program input to a launched session's stdin. */
  async input(session: Session, data: Buffer): Promise<void> {
    const client = this.clientOf.get(session);
    if (!client || !session.agentSessionId || !session.live) return;
    await client.input(session.agentSessionId, data);
  }

  /** Asks the agent for the current syscall summary of a live session. */
  async refreshSummary(session: Session): Promise<void> {
    const client = this.clientOf.get(session);
    if (!client || !session.agentSessionId || !session.live) return;
    session.setSummary(await client.syscallSummary(session.agentSessionId));
  }

  /** Opens a recorded session file as a read-only session (reusing it if already open). */
  async openFile(file: string): Promise<Session> {
    // a file already in the list (reopened, or recorded in this window, live or ended) is shown again, not added twice
    const existing = this.list.find((s) => s.file !== undefined && path.resolve(s.file) === path.resolve(file));
    if (existing) return existing;
    const settings = this.options.settings();
    // events stream from the file into the session's bounded window, never all into memory
    let session: Session | undefined;
    let contents;
    try {
      const roots = settings.sourceRoots ?? [];
      contents = await readSessionFile(file, (batch) => { applyWorkspaceSource(batch, roots); session?.addEvents(batch); }, {
        onHeader: (header) => {
          session = new Session({
            id: `f${this.nextId++}`, title: header.title, target: header.target, fromFile: true, file,
            maxEventsInMemory: settings.maxEventsInMemory, clock: this.options.clock, agentLabel: `file ${path.basename(file)}`,
            ...(typeof header.host === 'string' ? { host: header.host } : {}),
          });
          session.stats.startedAt = header.startedAt;
        },
      });
    } catch (err) {
      session?.dispose();
      throw err;
    }
    if (!session) throw new Error(`${file} is not a Runtime Lens session file.`);
    if (contents.summary) session.setSummary(contents.summary);
    const trailer = contents.trailer;
    if (trailer) {
      // counts are the events read back; losses, rate and times are the recorded ones
      if (trailer.stats) session.setStats(trailer.stats);
      session.setState(trailer.state, { exitCode: trailer.exitCode, message: trailer.message });
      session.stats.endedAt = trailer.endedAt;
    } else {
      session.setState('stopped', { message: 'The session file has no end record: the recording was cut off or is still being written; showing the events it holds.' });
    }
    this.add(session, undefined);
    return session;
  }

  /** Forgets a finished session (its file stays on disk). */
  remove(session: Session): void {
    const i = this.list.indexOf(session);
    if (i < 0 || session.live) return;
    this.list.splice(i, 1);
    this.clientOf.delete(session);
    if (session.agentId && session.agentSessionId) {
      const key = routeKey(session.agentId, session.agentSessionId);
      // a restarted agent may have given the same id to a newer session
      if (this.routes.get(key) === session) this.routes.delete(key);
    }
    if (this.currentSession === session) this.setCurrent(this.list[this.list.length - 1]);
    session.dispose();
    this.sessionsEmitter.fire();
  }

  /** Closes every session file (each gets its end record). */
  async closeAll(): Promise<void> {
    await Promise.all(this.list.map((s) => s.recorder?.close({
      state: s.live ? 'stopped' : s.state, endedAt: this.options.clock.now(), exitCode: s.exitCode, message: s.message, stats: s.stats,
    })));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions.length = 0;
    void this.closeAll().catch((err) => this.options.log(`closing session files failed: ${(err as Error).message}`));
    for (const s of this.list) s.dispose();
    this.sessionsEmitter.dispose();
    this.currentEmitter.dispose();
    this.changeEmitter.dispose();
  }

  private add(session: Session, client: AgentClient | undefined): void {
    this.list.push(session);
    if (client) this.clientOf.set(session, client);
    session.onDidChange((s) => this.changeEmitter.fire(s));
    this.sessionsEmitter.fire();
    this.setCurrent(session);
  }

  /**
   * The link to the host of agent `agentId` dropped: its live sessions end as
   * disconnected with `message`, keeping every event they received (their files get their end record).
   */
  disconnect(agentId: AgentId, message: string): void {
    for (const session of this.list.filter((s) => s.live && s.agentId === agentId)) this.finish(session, 'disconnected', { message });
  }

  private finish(session: Session, state: 'exited' | 'stopped' | 'failed' | 'disconnected', details: { exitCode?: number; signal?: string; message?: string }): void {
    if (state === 'stopped' && session.stopRequested && !details.message) {
      // kept in the session file's end record, so a reopened session says it too
      const pid = session.targetPid ?? '?';
      details = { ...details, message: session.target.kind === 'launch'
        ? `Stopped from VS Code: Runtime Lens sent SIGTERM to the launched program (pid ${pid}), then SIGKILL if it did not exit.`
        : `Stopped from VS Code: tracing ended; pid ${pid} was left running.` };
    }
    if (!session.setState(state, details)) return;
    const recorder = session.recorder;
    if (!recorder) return;
    recorder.close({
      state, endedAt: this.options.clock.now(), exitCode: session.exitCode, message: session.message, stats: session.stats,
    }).catch((err) => session.setProblem(`Runtime Lens could not finish the session file ${recorder.file}: ${(err as Error).message}`));
  }

  private route(agentId: AgentId, n: Pending): void {
    const key = routeKey(agentId, n.p.sessionId);
    const session = this.routes.get(key);
    if (!session) {
      if (this.startsInFlight === 0) {
        this.options.log(`agent ${agentId} sent ${n.type} for unknown session ${n.p.sessionId}; ignored`);
        return;
      }
      const queue = this.pending.get(key) ?? [];
      if (queue.length >= MAX_PENDING) {
        this.options.log(`agent ${agentId} sent more than ${MAX_PENDING} notifications for session ${n.p.sessionId} before it was registered; the rest are ignored`);
        return;
      }
      queue.push(n);
      this.pending.set(key, queue);
      return;
    }
    this.deliver(session, n);
  }

  private deliver(session: Session, n: Pending): void {
    switch (n.type) {
      case 'events':
        if (!session.live) {
          session.setProblem(`${n.p.events.length} events arrived after the session ended; they are shown but not in the session file.`);
        }
        applyWorkspaceSource(n.p.events, this.sourceRootsOf.get(session) ?? []);
        session.addEvents(n.p.events);
        return;
      case 'state':
        if (n.p.state === 'failed' && session.stopRequested) {
          // stopped as asked; how the agent got there is kept as the message, not hidden
          this.finish(session, 'stopped', { message: `Stopped on request; the agent reported: ${n.p.message ?? 'no details'}` });
        } else if (n.p.state === 'disconnected') {
          this.finish(session, 'disconnected', { message: disconnectedMessage(session.host, n.p.message, n.p.missed) });
        } else if (n.p.state === 'exited' || n.p.state === 'stopped' || n.p.state === 'failed') {
          this.finish(session, n.p.state, { exitCode: n.p.exitCode, signal: n.p.signal, message: n.p.message });
        } else {
          session.setState(n.p.state, { message: n.p.message });
        }
        return;
      case 'stats':
        session.setStats(n.p);
        return;
      case 'output':
        session.output(n.p.stream, n.p.data);
        return;
      case 'summary':
        session.setSummary(n.p.rows);
        return;
    }
  }

  private drainPending(key: string, session: Session): void {
    const queue = this.pending.get(key);
    if (!queue) return;
    this.pending.delete(key);
    for (const n of queue) this.deliver(session, n);
  }

  private dropUnclaimed(): void {
    for (const [key, queue] of this.pending) {
      const [agentId, sessionId] = JSON.parse(key) as [AgentId, string];
      this.options.log(`agent ${agentId} sent ${queue.length} notifications for unknown session ${sessionId}; ignored`);
    }
    this.pending.clear();
  }
}

/** The settings with `files` run besides the workspace's rule files (the runtimeLens.disabledRules kept). */
function withRuleFiles(settings: SessionSettings, files: string[] | undefined): SessionSettings {
  if (!files?.length) return settings;
  const rules = settings.rules ?? { files: [], disabled: [] };
  return { ...settings, rules: { files: [...new Set([...rules.files, ...files])], disabled: rules.disabled } };
}
