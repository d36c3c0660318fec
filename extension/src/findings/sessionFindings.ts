/*
 * Each session's FindingsIndex, kept up to date as events arrive (and filled
 * from the events in memory for a session opened from a file). Tells its
 * listeners which findings a session gained.
 */
import { Emitter, type Event } from 'vscode-jsonrpc';
import type { FindingEvent, LensEvent } from '../../../remote-agent/src/protocol';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import { FindingsIndex } from './findingsIndex';

/** New findings of a session. */
export interface FindingsAdded {
  session: Session;
  added: FindingEvent[];
}

/** Findings per session. */
export class SessionFindings {
  private readonly index = new WeakMap<Session, FindingsIndex>();
  private readonly watched = new WeakSet<Session>();
  private readonly subscriptions: { dispose(): unknown }[] = [];
  private readonly emitter = new Emitter<FindingsAdded>();
  readonly onDidAdd: Event<FindingsAdded> = this.emitter.event;

  constructor(private readonly sessions: SessionManager) {
    this.subscriptions.push(sessions.onDidChangeSessions(() => this.watchAll()));
    this.watchAll();
  }

  private watchAll(): void {
    for (const s of this.sessions.sessions) {
      if (this.watched.has(s)) continue;
      this.watched.add(s);
      this.subscriptions.push(s.onDidAddEvents((events) => this.add(s, events)));
    }
  }

  /** The findings of a session (those in its events in memory when first asked). */
  of(session: Session): FindingsIndex {
    let idx = this.index.get(session);
    if (!idx) {
      idx = new FindingsIndex();
      this.index.set(session, idx);
      for (const chunk of session.window.chunks(10000)) idx.add(chunk);
    }
    return idx;
  }

  /** Adds findings made here (Compare with Baseline) or arrived with events. */
  add(session: Session, events: readonly LensEvent[]): void {
    const fresh = !this.index.has(session);
    const idx = this.of(session);
    // a fresh index was just filled from the window, which already holds these events
    const added = fresh ? events.filter((e): e is FindingEvent => e.kind === 'finding') : idx.add(events);
    if (added.length) this.emitter.fire({ session, added });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
