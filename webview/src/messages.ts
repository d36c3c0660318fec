/*
 * Every message between the extension host and the webviews, as one tagged
 * union per direction. Both sides import this file; nothing else crosses.
 */
import type { LensEvent, SessionStats, SessionState, SyscallSummaryRow } from '../../remote-agent/src/protocol';

/** Which view a webview panel renders (one bundle serves all). */
export type ViewName = 'events' | 'processTree' | 'networkMap' | 'timeline' | 'summary' | 'dependencies';

export interface SessionInfo {
  id: string;
  title: string;
  state: SessionState;
  /** true for a session reopened from a file */
  fromFile: boolean;
  /** the remote host it traced on ([user@]host[:port] as connected to); absent for this machine */
  host?: string;
}

/**
 * One step of a traced debug session: from a continue (or the start) to the next one, `stoppedAt`
 * when the debugger stopped in it (the boundary the events table marks).
 */
export interface DebugStepMark {
  /** 1 for the run up to the first stop */
  index: number;
  /** ms since the epoch: events at or after it belong to this step */
  from: number;
  stoppedAt?: number;
  /** why it stopped: "breakpoint", "step", "entry", "exception", … */
  reason?: string;
  /** the next step starts here (undefined for the current step) */
  to?: number;
}

/** Extension → webview. Events are batched: at most ~30 messages per second. */
export type ToWebview =
  | { type: 'init'; view: ViewName; session: SessionInfo | null }
  | { type: 'events'; sessionId: string; events: LensEvent[] }
  /** drop everything shown (another session selected); events follow */
  | { type: 'reset'; session: SessionInfo | null }
  | { type: 'state'; session: SessionInfo }
  | { type: 'stats'; stats: SessionStats }
  | { type: 'summary'; sessionId: string; rows: SyscallSummaryRow[] }
  /** select an event (by ts+pid+tid+kind key) in every linked view; `process` is its process key */
  | { type: 'select'; key: string; process?: string }
  /** narrow to a time range (ms since epoch) chosen in the timeline */
  | { type: 'timeRange'; from: number; to: number } | { type: 'timeRange'; from: null; to: null }
  | { type: 'error'; message: string }
  /** show only what this filter matches (the events view: its filter box is set to it) */
  | { type: 'filter'; text: string }
  /** the steps of the session's debug run so far (the events view marks their stops and filters to one) */
  | { type: 'steps'; steps: DebugStepMark[] };

/** Webview → extension. */
export type FromWebview =
  | { type: 'ready'; view: ViewName }
  | { type: 'select'; key: string; event: LensEvent }
  | { type: 'timeRange'; from: number | null; to: number | null }
  | { type: 'copy'; text: string }
  /** open a source file (as the event names it, on the traced machine) at a 1-based line */
  | { type: 'reveal'; file: string; line: number }
  /** open the events view filtered to what the user clicked (a process, an endpoint, a package) */
  | { type: 'showEvents'; filter: string }
  /** export the Dependencies table of the panel's session (the extension asks where and in which format) */
  | { type: 'exportDependencies' }
  | { type: 'log'; level: 'info' | 'error'; message: string };

/** Stable key of an event, used for selection across views. */
export function eventKey(e: LensEvent): string {
  return `${e.ts}:${e.pid}:${e.tid}:${e.kind}`;
}
