import type { ViewName } from '../../../webview/src/messages';
import { registerCommand, sessionArg, sessionOf, showError, type CommandContext } from './commandContext';

/** The commands that open a view, and the view each opens. */
const VIEW_COMMANDS: Record<string, ViewName> = {
  'runtimeLens.openEvents': 'events',
  'runtimeLens.openProcessTree': 'processTree',
  'runtimeLens.openNetworkMap': 'networkMap',
  'runtimeLens.openTimeline': 'timeline',
  'runtimeLens.openSyscallSummary': 'summary',
  'runtimeLens.openDependencies': 'dependencies',
};

/** Stop, show, remove a session, and open its views. */
export function registerSessionCommands(ctx: CommandContext): void {
  registerCommand(ctx, 'runtimeLens.stop', async (arg?: unknown) => {
    const session = await sessionArg(ctx, arg, (s) => s.live, 'stop');
    if (!session) return;
    try {
      await ctx.sessions.stop(session);
    } catch (err) {
      showError(new Error(`Runtime Lens could not stop ${session.title}: ${(err as Error).message}`));
    }
  });

  for (const [id, view] of Object.entries(VIEW_COMMANDS)) {
    registerCommand(ctx, id, (arg?: unknown) => {
      const session = sessionOf(arg);
      if (session) ctx.sessions.setCurrent(session);
      ctx.panels.open(view);
    });
  }

  registerCommand(ctx, 'runtimeLens.showSession', (arg?: unknown) => {
    const session = sessionOf(arg);
    if (session) ctx.sessions.setCurrent(session);
  });

  registerCommand(ctx, 'runtimeLens.removeSession', async (arg?: unknown) => {
    const session = await sessionArg(ctx, arg, (s) => !s.live, 'remove from the list');
    if (session) ctx.sessions.remove(session);
  });
}
