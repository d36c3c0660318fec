import * as vscode from 'vscode';
import { SHOW_EVENTS_FOR_LINE } from '../editor/lineText';
import type { SourceDecorations } from '../editor/sourceDecorations';
import { registerCommand, type CommandContext } from './commandContext';
import { showEventsForLine, type LineCommandDeps } from './lineEvents';

/** Show Events for This Line (hover links, command palette, editor context menu), and the toggle of the editor's decorations. */
export function registerEditorCommands(ctx: CommandContext, decorations: SourceDecorations): void {
  const deps: LineCommandDeps = {
    cursor: () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.uri.scheme !== 'file') return undefined;
      const file = editor.document.uri.fsPath;
      return { file, line: editor.selection.active.line + 1, shownAs: vscode.workspace.asRelativePath(file) };
    },
    at: (file, line) => decorations.at(file, line),
    sessionTitle: () => ctx.sessions.current?.title,
    showEvents: (filter) => ctx.panels.showEvents(filter),
    info: (message) => void vscode.window.showInformationMessage(message),
  };
  registerCommand(ctx, SHOW_EVENTS_FOR_LINE, (arg?: unknown) => showEventsForLine(deps, arg));

  registerCommand(ctx, 'runtimeLens.toggleDecorations', async () => {
    // the setting is the one switch: its change event repaints the editors
    await vscode.workspace.getConfiguration('runtimeLens').update('decorations', !decorations.enabled, vscode.ConfigurationTarget.Global);
  });
}
