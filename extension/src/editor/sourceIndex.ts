/*
 * The events of a session by the source line that caused them (`source` of
 * each event, mapped to a local file), added to batch by batch: what the
 * editor's hints and hovers read. Per line it keeps counts per kind, a few
 * distinct subjects per kind and the latest events, so memory stays bounded
 * by the number of lines, not of events.
 */
import type { EventKind, LensEvent } from '../../../remote-agent/src/protocol';

/** Most events kept per line (what a hover lists). */
export const RECENT_PER_LINE = 10;
/** Most distinct subjects (files, endpoints…) remembered per kind and line. */
export const SUBJECTS_PER_KIND = 20;

/** What one kind of event did on one line. */
export interface KindAtLine {
  count: number;
  /** distinct subjects in first-seen order, at most SUBJECTS_PER_KIND */
  subjects: string[];
  /** distinct subjects seen beyond those kept */
  moreSubjects: boolean;
}

/** Everything known about one line. */
export interface LineEvents {
  /** the source file as the event named it (on the traced machine) */
  sourceFile: string;
  /** 1-based */
  line: number;
  count: number;
  kinds: Map<EventKind, KindAtLine>;
  /** the latest RECENT_PER_LINE events, oldest first */
  recent: LensEvent[];
}

/** Why it exists: answer "what happened at this line" for every visible editor without scanning events. */
export class SourceIndex {
  private readonly files = new Map<string, Map<number, LineEvents>>();
  /** events that had a source */
  located = 0;

  /**
   * Adds a batch. `toLocal` maps a traced machine's path to this window's; `subject` names what
   * an event acted on. Returns the local files whose lines changed.
   */
  add(events: readonly LensEvent[], toLocal: (file: string) => string, subject: (e: LensEvent) => string): Set<string> {
    const changed = new Set<string>();
    for (const e of events) {
      const src = e.source;
      if (!src || typeof src.file !== 'string' || !Number.isInteger(src.line) || src.line < 1) continue;
      this.located++;
      const local = toLocal(src.file);
      let lines = this.files.get(local);
      if (!lines) this.files.set(local, (lines = new Map()));
      let at = lines.get(src.line);
      if (!at) lines.set(src.line, (at = { sourceFile: src.file, line: src.line, count: 0, kinds: new Map(), recent: [] }));
      at.count++;
      let k = at.kinds.get(e.kind);
      if (!k) at.kinds.set(e.kind, (k = { count: 0, subjects: [], moreSubjects: false }));
      k.count++;
      const s = subject(e);
      if (!k.subjects.includes(s)) {
        if (k.subjects.length < SUBJECTS_PER_KIND) k.subjects.push(s);
        else k.moreSubjects = true;
      }
      if (at.recent.length >= RECENT_PER_LINE) at.recent.shift();
      at.recent.push(e);
      changed.add(local);
    }
    return changed;
  }

  /** The lines of a local file that have events. */
  linesOf(localFile: string): ReadonlyMap<number, LineEvents> | undefined {
    return this.files.get(localFile);
  }

  at(localFile: string, line: number): LineEvents | undefined {
    return this.files.get(localFile)?.get(line);
  }

  /** Local files with events. */
  get fileNames(): IterableIterator<string> {
    return this.files.keys();
  }

  clear(): void {
    this.files.clear();
    this.located = 0;
  }
}
