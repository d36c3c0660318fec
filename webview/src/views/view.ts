/*
 * What every view implements: it is mounted into #app, receives every message
 * from the extension, and is told when the session's events start over.
 */
import type { Host } from '../host';
import type { ToWebview } from '../messages';

/** One rendered view (events table, process tree, ...). */
export interface View {
  handle(msg: ToWebview): void;
}

/** Builds a view inside `root`. */
export type ViewFactory = (root: HTMLElement, host: Host) => View;
