import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { exportSession, type ExportFormat } from '../session/exportSession';
import { SESSION_FILE_SUFFIX } from '../session/sessionFile';
import { SESSION_EDITOR_VIEW_TYPE } from '../webviews/sessionFileEditor';
import { registerCommand, sessionArg, showError, type CommandContext } from './commandContext';
import { checkSessionFile, pickSessionFile } from './openSessionFile';

/** Open a recorded session file, and export a session as JSON or CSV. */
export function registerSessionFileCommands(ctx: CommandContext): void {
  registerCommand(ctx, 'runtimeLens.openSessionFile', async (arg?: unknown) => {
    let file = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : undefined;
    if (file) {
      const problem = await checkSessionFile(file);
      if (problem) {
        void vscode.window.showErrorMessage(`Runtime Lens: ${problem}`);
        return;
      }
    } else {
      file = await pickSessionFile({
        createQuickPick: () => vscode.window.createQuickPick(),
        showOpenDialog: (options) => vscode.window.showOpenDialog(options),
        showErrorMessage: (m) => vscode.window.showErrorMessage(m),
        file: (p) => vscode.Uri.file(p),
      }, ctx.settings().sessionsDirectory);
    }
    if (file) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), SESSION_EDITOR_VIEW_TYPE);
  });

  registerCommand(ctx, 'runtimeLens.exportSession', async (arg?: unknown) => {
    const session = await sessionArg(ctx, arg, () => true, 'export');
    if (!session) return;
    const format = await vscode.window.showQuickPick(
      [{ label: 'JSON', description: 'an array of events', format: 'json' as ExportFormat }, { label: 'CSV', description: 'one row per event', format: 'csv' as ExportFormat }],
      { title: `Runtime Lens: export ${session.title} as` },
    );
    if (!format) return;
    const base = session.file ? path.basename(session.file, SESSION_FILE_SUFFIX) : session.title.replace(/[^\w.-]+/g, '-');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const target = await vscode.window.showSaveDialog({
      title: 'Runtime Lens: Export Session',
      defaultUri: vscode.Uri.joinPath(folder, `${base}.${format.format}`),
      filters: format.format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    });
    if (!target) return;
    try {
      const count = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Runtime Lens: exporting ${session.title}…` },
        () => exportSession(session, format.format, target.fsPath));
      const open = await vscode.window.showInformationMessage(`Runtime Lens: exported ${count} events to ${target.fsPath}.`, 'Open');
      if (open) await vscode.window.showTextDocument(target);
    } catch (err) {
      showError(err);
    }
  });
}
