import { lineFilter } from '../editor/lineText';
import type { LineEvents } from '../editor/sourceIndex';

/** What Show Events for This Line and the decorations toggle work with (vscode in the extension, fakes in tests). */
export interface LineCommandDeps {
  /** the active editor's local file and 1-based cursor line, if it shows a file */
  cursor(): { file: string; line: number; shownAs: string } | undefined;
  /** the current session's events at a local file's line */
  at(file: string, line: number): LineEvents | undefined;
  sessionTitle(): string | undefined;
  showEvents(filter: string): void;
  info(message: string): void;
}

/** A line as the hover's link names it: the file as the events name it (on the traced machine), 1-based. */
interface LineArg {
  file: string;
  line: number;
}

function isLineArg(arg: unknown): arg is LineArg {
  const a = arg as Partial<LineArg> | undefined;
  return typeof a?.file === 'string' && Number.isInteger(a.line) && (a.line ?? 0) >= 1;
}

/**
 * Opens the events view filtered to a line: the hover link's line (its argument), or the line
 * at the cursor (command palette, editor context menu). Says so when that line caused no event.
 */
export function showEventsForLine(deps: LineCommandDeps, arg?: unknown): void {
  if (isLineArg(arg)) {
    deps.showEvents(lineFilter(arg.file, arg.line));
    return;
  }
  const cursor = deps.cursor();
  if (!cursor) {
    deps.info('Runtime Lens: open a source file and put the cursor on a line to see the events it caused.');
    return;
  }
  const at = deps.at(cursor.file, cursor.line);
  if (at) {
    deps.showEvents(lineFilter(at.sourceFile, at.line));
    return;
  }
  const title = deps.sessionTitle();
  deps.info(title === undefined
    ? 'Runtime Lens: there is no session; trace a program or open a session file first.'
    : `Runtime Lens: line ${cursor.line} of ${cursor.shownAs} caused no events in ${title} (events carry their source line when traced with stacks).`);
}
