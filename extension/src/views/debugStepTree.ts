import * as path from 'node:path';
import type * as vscode from 'vscode';
import { eventText } from '../../../remote-agent/src/model/event-model';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import type { DebugTrace } from '../debug/debugTrace';
import type { DebugTracing } from '../debug/debugTracing';
import type { Clock } from '../util/clock';
import type { VscodeTypes } from './vscodeTypes';

/**
 * A row of the Runtime Lens view in Run and Debug: the step, one of its events, the note that more
 * were left out, or the group of its events that have no source line (its runtime's and the
 * debugger's own work), listed after the ones at lines of code.
 */
export type DebugStepElement = { step: true } | { event: LensEvent } | { more: number } | { unlocated: LensEvent[] };

/** Most events of a step listed (the newest; the events view shows them all). */
export const STEP_EVENTS_SHOWN = 500;
const REFRESH_MS = 200;

/** What the view builds items with: the tree classes and a command to open a file at a line. */
export type DebugStepVscode = VscodeTypes & Pick<typeof vscode, 'Range'>;

/** The events of a step: at or after its start, before the next one. */
export function stepEvents(events: readonly LensEvent[], step: { from: number; to?: number }): LensEvent[] {
  return events.filter((e) => e.ts >= step.from && (step.to === undefined || e.ts < step.to));
}

/**
 * The "Runtime Lens" view of the Run and Debug side bar: the events of the
 * current step of the traced debug session (since the last continue or step),
 * each with its source line; clicking one opens that line.
 */
export class DebugStepTreeProvider implements vscode.TreeDataProvider<DebugStepElement> {
  private readonly changeEmitter: vscode.EventEmitter<DebugStepElement | undefined | void>;
  readonly onDidChangeTreeData: vscode.Event<DebugStepElement | undefined | void>;
  private readonly subs: { dispose(): unknown }[] = [];
  private traceSubs: { dispose(): unknown }[] = [];
  private sessionSub: { dispose(): unknown } | undefined;
  private trace: DebugTrace | undefined;
  private timer: unknown;

  constructor(
    private readonly vs: DebugStepVscode,
    private readonly tracing: DebugTracing,
    private readonly clock: Clock,
    private readonly localPath: (file: string) => string,
    /** the view's title says which step it shows */
    private readonly describe: (text: string | undefined) => void,
  ) {
    this.changeEmitter = new vs.EventEmitter<DebugStepElement | undefined | void>();
    this.onDidChangeTreeData = this.changeEmitter.event;
    this.subs.push(tracing.onDidChangeActive((t) => this.follow(t)));
    this.follow(tracing.activeTrace);
  }

  private follow(trace: DebugTrace | undefined): void {
    for (const s of this.traceSubs) s.dispose();
    this.trace = trace;
    this.traceSubs = trace ? [
      trace.onDidChangeStep(() => { this.watchSession(); this.refresh(); }),
      trace.onDidStartSession(() => { this.watchSession(); this.refresh(); }),
    ] : [];
    this.watchSession();
    this.refresh();
  }

  private watchSession(): void {
    this.sessionSub?.dispose();
    const session = this.trace ? this.tracing.sessionOf(this.trace) : undefined;
    this.sessionSub = session?.onDidAddEvents(() => this.refreshSoon());
  }

  getChildren(element?: DebugStepElement): DebugStepElement[] {
    if (element) return 'unlocated' in element ? element.unlocated.map((event) => ({ event })) : [];
    if (!this.trace) return [];
    const step = this.trace.currentStep;
    const session = this.tracing.sessionOf(this.trace);
    if (!step || !session) return [];
    const events = stepEvents(session.window.toArray(), step).slice(-STEP_EVENTS_SHOWN);
    const all = stepEvents(session.window.toArray(), step).length;
    const located = events.filter((e) => e.source);
    const unlocated = events.filter((e) => !e.source);
    return [
      { step: true },
      ...(all > events.length ? [{ more: all - events.length }] : []),
      ...located.map((event) => ({ event })),
      ...(unlocated.length ? [{ unlocated }] : []),
    ];
  }

  getTreeItem(element: DebugStepElement): vscode.TreeItem {
    const { vs } = this;
    if ('step' in element) {
      const step = this.trace?.currentStep;
      const paused = this.trace?.isPaused === true;
      const item = new vs.TreeItem(step ? `Step ${step.index}: ${paused ? `paused (${step.reason ?? 'pause'})` : 'running'}` : 'No step', vs.TreeItemCollapsibleState.None);
      item.description = 'events since the last continue or step';
      item.iconPath = new vs.ThemeIcon(paused ? 'debug-pause' : 'debug-continue');
      item.contextValue = 'debugStep';
      return item;
    }
    if ('unlocated' in element) {
      const item = new vs.TreeItem(`${element.unlocated.length} ${element.unlocated.length === 1 ? 'event' : 'events'} without a source line`, vs.TreeItemCollapsibleState.Collapsed);
      item.tooltip = 'Events of this step whose stack reaches no line of your code: the runtime\'s own work, the debugger\'s, or a process traced without stacks';
      item.iconPath = new vs.ThemeIcon('circle-small');
      return item;
    }
    if ('more' in element) {
      const item = new vs.TreeItem(`${element.more} earlier events of this step`, vs.TreeItemCollapsibleState.None);
      item.description = 'Show the step in the events view';
      item.command = { command: 'runtimeLens.showDebugStep', title: 'Show Step in Events View' };
      item.iconPath = new vs.ThemeIcon('ellipsis');
      return item;
    }
    const e = element.event;
    const item = new vs.TreeItem(`${e.kind} ${eventText(e)}`, vs.TreeItemCollapsibleState.None);
    const src = e.source;
    item.description = src ? `${path.basename(src.file)}:${src.line}` : 'no source line';
    item.tooltip = [
      `${e.kind} ${eventText(e)}`,
      `${e.comm} (pid ${e.pid})`,
      src ? `at ${src.file}:${src.line}${src.function ? ` (${src.function})` : ''}` : e.stack_error ? `no source line: ${e.stack_error}` : 'no source line (trace with stacks, or a Node/Python debuggee, to get lines)',
    ].join('\n');
    item.iconPath = new vs.ThemeIcon(src ? 'symbol-event' : 'circle-small');
    if (src) {
      const line = Math.max(0, src.line - 1);
      item.command = {
        command: 'vscode.open', title: 'Open Source Line',
        arguments: [vs.Uri.file(this.localPath(src.file)), { selection: new vs.Range(line, 0, line, 0), preserveFocus: true }],
      };
    }
    return item;
  }

  private refresh(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const step = this.trace?.currentStep;
    this.describe(step ? `${this.trace?.name} · step ${step.index}` : undefined);
    this.changeEmitter.fire();
  }

  private refreshSoon(): void {
    this.timer ??= this.clock.setTimeout(() => this.refresh(), REFRESH_MS);
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.sessionSub?.dispose();
    for (const s of [...this.traceSubs, ...this.subs]) s.dispose();
    this.changeEmitter.dispose();
  }
}
