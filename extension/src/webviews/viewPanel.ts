import type * as vscode from 'vscode';
import { eventKey, type FromWebview, type ToWebview, type ViewName } from '../../../webview/src/messages';
import type { Session } from '../session/session';
import type { Clock } from '../util/clock';
import { WebviewBatcher } from './messageBatcher';

/** Titles of the views, as shown on their tabs. */
export const VIEW_TITLES: Record<ViewName, string> = {
  events: 'Runtime Lens: Events',
  processTree: 'Runtime Lens: Process Tree',
  networkMap: 'Runtime Lens: Network Map',
  timeline: 'Runtime Lens: Timeline',
  summary: 'Runtime Lens: Syscall Summary',
  dependencies: 'Runtime Lens: Dependencies',
};

/** What a panel asks of the rest of the extension when its webview sends a message. */
export interface ViewPanelHost {
  /** the webview selected an event or a time range: tell the other panels */
  broadcast(from: ViewPanel, message: ToWebview): void;
  copy(text: string): void;
  reveal(file: string, line: number): void;
  /** open the events view with this filter */
  showEvents(filter: string): void;
  /** export the Dependencies table of a session */
  exportDependencies(session: Session): void;
  log(level: 'info' | 'error', message: string): void;
  /** the summary view opened on a live session: fetch the current rows */
  refreshSummary(session: Session): void;
}

/** The parts of a vscode.WebviewPanel a view panel uses. */
export type PanelLike = Pick<vscode.WebviewPanel, 'reveal' | 'dispose' | 'onDidDispose' | 'title'> & {
  webview: Pick<vscode.Webview, 'postMessage' | 'onDidReceiveMessage'>;
};

/**
 * One webview rendering one view of one session: replays the session's
 * in-memory events when the webview is ready or the session changes, then
 * streams new events, stats and state through a batcher (≤ 30 messages/s).
 */
export class ViewPanel {
  private readonly batcher: WebviewBatcher;
  private session: Session | undefined;
  private sessionSubs: { dispose(): unknown }[] = [];
  private readonly subs: { dispose(): unknown }[] = [];
  private ready = false;
  /** a filter asked for before the webview was ready: sent once it is */
  private pendingFilter: string | undefined;
  /** a time range asked for before the webview was ready */
  private pendingRange: { from: number; to: number } | undefined;
  private disposed = false;
  private readonly disposeListeners: (() => void)[] = [];

  constructor(readonly panel: PanelLike, readonly view: ViewName, private readonly host: ViewPanelHost, clock: Clock, session: Session | undefined) {
    this.batcher = new WebviewBatcher((m) => {
      void panel.webview.postMessage(m).then(undefined, (err: Error) => host.log('error', `posting to the ${view} view failed: ${err.message}`));
    }, { clock });
    this.session = session;
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: FromWebview) => this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get current(): Session | undefined {
    return this.session;
  }

  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  /** Shows another session (or none) in this panel. */
  show(session: Session | undefined): void {
    if (session === this.session && this.sessionSubs.length > 0) return;
    this.session = session;
    if (this.ready) this.replay();
  }

  /** Sends a message that concerns every view (selection, time range). */
  send(message: ToWebview): void {
    this.batcher.send(message);
  }

  /** Sets the view's filter (the events view shows only what it matches). */
  setFilter(text: string): void {
    if (this.ready) this.batcher.send({ type: 'filter', text });
    else this.pendingFilter = text;
  }

  /** Narrows every view to a time range (a debug step), as a range brushed in the timeline does. */
  setTimeRange(from: number, to: number): void {
    if (this.ready) this.host.broadcast(this, { type: 'timeRange', from, to });
    if (this.ready) this.batcher.send({ type: 'timeRange', from, to });
    else this.pendingRange = { from, to };
  }

  private receive(message: FromWebview): void {
    if (!message || typeof message !== 'object' || typeof (message as { type?: unknown }).type !== 'string') {
      this.host.log('error', `the ${this.view} view sent a message without a type; ignored`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.batcher.send({ type: 'init', view: this.view, session: this.session?.info() ?? null });
        this.replay();
        if (this.pendingFilter !== undefined) this.batcher.send({ type: 'filter', text: this.pendingFilter });
        this.pendingFilter = undefined;
        if (this.pendingRange) this.setTimeRange(this.pendingRange.from, this.pendingRange.to);
        this.pendingRange = undefined;
        return;
      case 'select':
        if (typeof message.key === 'string') {
          const process = typeof message.event?.key === 'string' ? message.event.key : undefined;
          this.host.broadcast(this, { type: 'select', key: message.key || (message.event ? eventKey(message.event) : ''), process });
        }
        return;
      case 'timeRange':
        this.host.broadcast(this, message.from === null || message.to === null
          ? { type: 'timeRange', from: null, to: null }
          : { type: 'timeRange', from: Number(message.from), to: Number(message.to) });
        return;
      case 'copy':
        if (typeof message.text === 'string') this.host.copy(message.text);
        return;
      case 'reveal':
        if (typeof message.file === 'string' && Number.isInteger(message.line)) this.host.reveal(message.file, message.line);
        return;
      case 'exportDependencies':
        if (this.session) this.host.exportDependencies(this.session);
        return;
      case 'showEvents':
        if (typeof message.filter === 'string') this.host.showEvents(message.filter);
        return;
      case 'log':
        this.host.log(message.level === 'error' ? 'error' : 'info', `[${this.view} view] ${String(message.message)}`);
        return;
      default:
        this.host.log('error', `the ${this.view} view sent an unknown message type "${(message as { type: string }).type}"; ignored`);
    }
  }

  /** Drops what the webview shows and sends the session's in-memory events, then follows it live. */
  private replay(): void {
    for (const s of this.sessionSubs) s.dispose();
    this.sessionSubs = [];
    const session = this.session;
    this.batcher.send({ type: 'reset', session: session?.info() ?? null });
    if (!session) return;
    // the replay of the whole window must fit in the queue, with room for live events behind it
    this.batcher.maxQueuedEvents = Math.max(this.batcher.maxQueuedEvents, Math.ceil(session.window.capacity * 1.25));
    for (const chunk of session.window.chunks(10000)) this.batcher.send({ type: 'events', sessionId: session.id, events: chunk });
    this.batcher.send({ type: 'stats', stats: session.stats });
    if (session.summary.length > 0) this.batcher.send({ type: 'summary', sessionId: session.id, rows: session.summary });
    if (session.steps.length > 0) this.batcher.send({ type: 'steps', steps: [...session.steps] });
    if (session.window.evicted > 0) {
      this.batcher.send({ type: 'error', message: `Showing the last ${session.window.size} events; ${session.window.evicted} older ones are only in the session file (raise runtimeLens.maxEventsInMemory to keep more in memory).` });
    }
    this.sessionSubs.push(
      session.onDidAddEvents((events) => this.batcher.send({ type: 'events', sessionId: session.id, events })),
      session.onDidChange((s) => {
        this.batcher.send({ type: 'stats', stats: s.stats });
        this.batcher.send({ type: 'state', session: s.info() });
      }),
      session.onDidChangeSummary((rows) => this.batcher.send({ type: 'summary', sessionId: session.id, rows })),
      session.onDidChangeSteps((steps) => this.batcher.send({ type: 'steps', steps: [...steps] })),
    );
    if (this.view === 'summary' && session.live) this.host.refreshSummary(session);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.batcher.dispose();
    for (const s of [...this.sessionSubs, ...this.subs]) s.dispose();
    this.sessionSubs = [];
    for (const l of this.disposeListeners) l();
    this.panel.dispose();
  }
}
