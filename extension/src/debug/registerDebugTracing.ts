/*
 * Wires debug tracing into VS Code: the configuration provider and the
 * adapter tracker factory for every debug type, the end of debug sessions,
 * the Runtime Lens view of the Run and Debug side bar, the editor hints
 * narrowed to the current step, and the command that shows a step in the
 * events view.
 */
import * as vscode from 'vscode';
import { LOCAL_AGENT } from '../agent/agentId';
import { registerCommand, type CommandContext } from '../commands/commandContext';
import type { SourceDecorations } from '../editor/sourceDecorations';
import { toLocalPath } from '../editor/pathMappings';
import { systemClock } from '../util/clock';
import { DebugStepTreeProvider } from '../views/debugStepTree';
import { readTraceDebugSessions } from './debugOptions';
import type { DebugTrace } from './debugTrace';
import { DebugTracing, type DebugSessionLike } from './debugTracing';
import type { LaunchConfig } from './launchHold';

/** Registers debug tracing; everything goes into ctx.store. */
export function registerDebugTracing(ctx: CommandContext, decorations: SourceDecorations): DebugTracing {
  const agent = ctx.agents.get(LOCAL_AGENT);
  const tracing = ctx.store.add(new DebugTracing({
    client: () => agent.get(),
    sessions: ctx.sessions,
    setting: () => {
      const { value, problem } = readTraceDebugSessions(vscode.workspace.getConfiguration('runtimeLens').get('traceDebugSessions'));
      if (problem) void vscode.window.showWarningMessage(`Runtime Lens settings: ${problem}`);
      return value;
    },
    hostEnv: process.env,
    ui: {
      ask: async (name) => (await vscode.window.showInformationMessage(`Trace "${name}" with Runtime Lens?`, { detail: 'Its processes, files and connections are recorded, and shown at their lines while you step. Set runtimeLens.traceDebugSessions, or "runtimeLens": true|false in the launch configuration, to stop being asked.' }, 'Trace', 'Not This Time')) === 'Trace',
      warn: (m) => void vscode.window.showWarningMessage(m),
      refused: (err) => ctx.privileges.refused(agent, err),
      offerAttach: (message, candidates, attach) => {
        void vscode.window.showWarningMessage(message, 'Attach to Process…').then(async (answer) => {
          if (answer !== 'Attach to Process…') return;
          const items = (await candidates()).map((c) => ({ label: c.label, pid: c.pid }));
          const picked = await vscode.window.showQuickPick(items, { title: 'Runtime Lens: the debuggee\'s process', placeHolder: items.length ? 'Processes whose command line names the program, newest first' : 'No process names the program: type a pid' });
          if (picked) attach(picked.pid);
        });
      },
    },
    now: () => Date.now(),
    later: (ms, f) => {
      const t = setTimeout(f, ms);
      return () => clearTimeout(t);
    },
    log: ctx.log,
  }));

  ctx.store.add(vscode.debug.registerDebugConfigurationProvider('*', {
    resolveDebugConfigurationWithSubstitutedVariables: (folder, config) => tracing.resolve(config as LaunchConfig, folder?.uri.fsPath),
  }));
  ctx.store.add(vscode.debug.registerDebugAdapterTrackerFactory('*', {
    createDebugAdapterTracker: (session) => tracing.tracker(session as DebugSessionLike),
  }));
  ctx.store.add(vscode.debug.onDidTerminateDebugSession((session) => void tracing.terminated(session as DebugSessionLike)));

  // a traced run's session is the one the views show; its step narrows the editor's hints
  let stepSubs: { dispose(): unknown }[] = [];
  const follow = (trace: DebugTrace | undefined) => {
    for (const s of stepSubs) s.dispose();
    stepSubs = [];
    if (!trace) {
      decorations.setScope(undefined);
      return;
    }
    const onStep = () => {
      const session = tracing.sessionOf(trace);
      const step = trace.currentStep;
      if (session && ctx.sessions.current !== session) ctx.sessions.setCurrent(session);
      decorations.setScope(step && session ? (e) => e.ts >= step.from && (step.to === undefined || e.ts < step.to) : undefined);
    };
    stepSubs.push(trace.onDidChangeStep(onStep), trace.onDidStartSession(() => {
      if (ctx.settings().openEventsOnStart) ctx.panels.open('events');
      onStep();
    }));
    onStep();
  };
  ctx.store.add(tracing.onDidChangeActive(follow));
  ctx.store.add({ dispose: () => stepSubs.forEach((s) => s.dispose()) });

  const settings = () => ctx.settings().pathMappings;
  // the provider names its step from its constructor on, before the view exists
  const shown: { view?: vscode.TreeView<unknown> } = {};
  const tree = ctx.store.add(new DebugStepTreeProvider(vscode, tracing, systemClock, (file) => toLocalPath(file, settings()), (text) => {
    if (shown.view) shown.view.description = text;
  }));
  shown.view = ctx.store.add(vscode.window.createTreeView('runtimeLens.debugStep', { treeDataProvider: tree }));

  registerCommand(ctx, 'runtimeLens.showDebugStep', () => {
    const trace = tracing.activeTrace;
    const session = trace && tracing.sessionOf(trace);
    const step = trace?.currentStep;
    if (!trace || !session || !step) {
      void vscode.window.showInformationMessage('Runtime Lens: no traced debug session is running.');
      return;
    }
    ctx.sessions.setCurrent(session);
    ctx.panels.open('events').setTimeRange(step.from, step.to ?? Number.MAX_SAFE_INTEGER);
  });
  return tracing;
}
