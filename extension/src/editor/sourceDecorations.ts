/*
 * Editor decorations of the current session: every line that caused events
 * gets an after-line hint and a gutter mark, and hovering it lists the events.
 * The source index grows batch by batch; a repaint is debounced and touches
 * only the visible editors whose files changed.
 */
import type { LensEvent } from '../../../remote-agent/src/protocol';
import type { Session } from '../session/session';
import type { SessionManager } from '../session/sessionManager';
import type { Clock } from '../util/clock';
import { lineHint, lineHover, eventSubject } from './lineText';
import { toLocalPath, type PathMapping } from './pathMappings';
import { SourceIndex, type LineEvents } from './sourceIndex';

/** Most time between new events and the editors showing them. */
export const REPAINT_MS = 250;

/** One line's decoration, as the editor API takes it. */
export interface LineDecoration {
  /** 0-based */
  line: number;
  hint: string;
  /** Markdown */
  hover: string;
}

/** A visible editor: the local file it shows and how to set this feature's decorations on it. */
export interface DecoratedEditor {
  readonly file: string | undefined;
  setDecorations(lines: readonly LineDecoration[]): void;
}

/** The slice of the editor API the decorations use (vscode in the extension, fakes in tests). */
export interface EditorSurface {
  visibleEditors(): readonly DecoratedEditor[];
  onDidChangeVisibleEditors(listener: () => void): { dispose(): unknown };
  /** says whether the current session has events with a source (the editor's context menu entry shows then) */
  setHasSourceEvents(has: boolean): void;
}

/** What the decorations read from runtimeLens.* settings. */
export interface DecorationSettings {
  enabled: boolean;
  mappings: readonly PathMapping[];
}

/** Why it exists: keep the editors' hints in step with the current session, cheaply. */
export class SourceDecorations {
  private readonly index = new SourceIndex();
  private session: Session | undefined;
  private sessionSubs: { dispose(): unknown }[] = [];
  private readonly subs: { dispose(): unknown }[] = [];
  /** local files whose lines changed since the last repaint; null: every visible editor */
  private dirty: Set<string> | null = null;
  private timer: unknown;
  private current: DecorationSettings;
  private hasSource = false;
  /** editors decorated last time, so a disabled toggle or an emptied session clears them */
  private readonly painted = new Set<DecoratedEditor>();
  /** only these events are shown (a paused debug session's current step); all when unset */
  private scope: ((e: LensEvent) => boolean) | undefined;

  constructor(
    private readonly surface: EditorSurface,
    sessions: SessionManager,
    private readonly clock: Clock,
    private readonly settings: () => DecorationSettings,
  ) {
    this.current = settings();
    this.subs.push(
      sessions.onDidChangeCurrent((s) => this.follow(s)),
      surface.onDidChangeVisibleEditors(() => this.repaint(null)),
    );
    surface.setHasSourceEvents(false);
    this.follow(sessions.current);
  }

  /** The line's events in the current session (1-based line of a local file). */
  at(localFile: string, line: number): LineEvents | undefined {
    return this.index.at(localFile, line);
  }

  get enabled(): boolean {
    return this.current.enabled;
  }

  /** Settings changed: re-map paths (rebuilding the index) or show/hide the decorations. */
  settingsChanged(): void {
    const next = this.settings();
    const remap = JSON.stringify(next.mappings) !== JSON.stringify(this.current.mappings);
    this.current = next;
    if (remap) this.rebuild();
    this.repaint(null);
  }

  private follow(session: Session | undefined): void {
    for (const s of this.sessionSubs) s.dispose();
    this.sessionSubs = [];
    this.session = session;
    if (session) this.sessionSubs.push(session.onDidAddEvents((events) => this.add(events)));
    // the mappings depend on the host the session traced on
    this.current = this.settings();
    this.rebuild();
    this.repaint(null);
  }

  /** Shows only the events `scope` keeps (a debug session's current step), or all of them again (undefined). */
  setScope(scope: ((e: LensEvent) => boolean) | undefined): void {
    this.scope = scope;
    this.rebuild();
    this.repaint(null);
  }

  private rebuild(): void {
    this.index.clear();
    if (this.session) this.index.add(this.scoped(this.session.window.toArray()), this.toLocal, eventSubject);
    this.updateContext();
  }

  private readonly toLocal = (file: string) => toLocalPath(file, this.current.mappings);

  private scoped(events: readonly LensEvent[]): readonly LensEvent[] {
    const scope = this.scope;
    return scope ? events.filter((e) => scope(e)) : events;
  }

  private add(events: readonly LensEvent[]): void {
    const changed = this.index.add(this.scoped(events), this.toLocal, eventSubject);
    if (changed.size === 0) return;
    this.updateContext();
    if (this.dirty !== null) for (const f of changed) this.dirty.add(f);
    this.schedule();
  }

  private updateContext(): void {
    const has = this.index.located > 0;
    if (has === this.hasSource) return;
    this.hasSource = has;
    this.surface.setHasSourceEvents(has);
  }

  /** Repaints now (null: every visible editor) and cancels a pending repaint. */
  private repaint(files: Set<string> | null): void {
    this.dirty = files;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.paint();
  }

  private schedule(): void {
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = undefined;
      this.paint();
    }, REPAINT_MS);
  }

  private paint(): void {
    const files = this.dirty;
    this.dirty = new Set();
    const visible = this.surface.visibleEditors();
    for (const editor of [...this.painted]) {
      // an editor no longer visible keeps nothing to update; VS Code drops its decorations with it
      if (!visible.includes(editor)) this.painted.delete(editor);
    }
    for (const editor of visible) {
      const file = editor.file;
      if (file === undefined) continue;
      if (files !== null && !files.has(file)) continue;
      const lines = this.current.enabled ? this.index.linesOf(file) : undefined;
      if (!lines || lines.size === 0) {
        if (this.painted.delete(editor)) editor.setDecorations([]);
        continue;
      }
      const decorations: LineDecoration[] = [];
      for (const at of lines.values()) decorations.push({ line: at.line - 1, hint: lineHint(at), hover: lineHover(at) });
      editor.setDecorations(decorations);
      this.painted.add(editor);
    }
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of [...this.sessionSubs, ...this.subs]) s.dispose();
    this.sessionSubs = [];
  }
}
