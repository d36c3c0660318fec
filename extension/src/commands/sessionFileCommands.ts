import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { exportDependencies } from '../session/exportDependencies';
import { exportSession, type ExportFormat } from '../session/exportSession';
import type { Session } from '../session/session';
import { SESSION_FILE_SUFFIX } from '../session/sessionFile';
import { SESSION_EDITOR_VIEW_TYPE } from '../webviews/sessionFileEditor';
import { registerCommand, sessionArg, showError, type CommandContext } from './commandContext';
import { checkSessionFile, pickSessionFile } from './openSessionFile';

/** Open a recorded session file; export a session, or its Dependencies table, as JSON or CSV. */
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

  registerCommand(ctx, 'runtimeLens.exportSession', (arg?: unknown) => exportWith(ctx, arg, {
    what: 'Session', formats: { json: 'an array of events', csv: 'one row per event' }, write: exportSession, done: (n) => `${n} events`,
  }));

  registerCommand(ctx, 'runtimeLens.exportDependencies', (arg?: unknown) => exportWith(ctx, arg, {
    what: 'Dependencies', formats: { json: 'the packages and the events their code caused, per kind', csv: 'one row per package, a column per kind' },
    write: exportDependencies, done: (n) => `${n} packages`, suffix: '-dependencies',
  }));
}

/** What an export writes: its name, the formats offered, the writer and how its result reads. */
interface ExportKind {
  what: string;
  formats: Record<ExportFormat, string>;
  write(session: Session, format: ExportFormat, file: string): Promise<number>;
  done(count: number): string;
  /** added to the file's default name */
  suffix?: string;
}

/** Asks for the session (when not given), the format and the file, writes it and offers to open it. */
async function exportWith(ctx: CommandContext, arg: unknown, kind: ExportKind): Promise<void> {
  const session = await sessionArg(ctx, arg, () => true, 'export');
  if (!session) return;
  const format = await vscode.window.showQuickPick(
    (Object.keys(kind.formats) as ExportFormat[]).map((f) => ({ label: f.toUpperCase(), description: kind.formats[f], format: f })),
    { title: `Runtime Lens: export ${kind.what === 'Session' ? session.title : `the ${kind.what.toLowerCase()} of ${session.title}`} as` },
  );
  if (!format) return;
  const base = (session.file ? path.basename(session.file, SESSION_FILE_SUFFIX) : session.title.replace(/[^\w.-]+/g, '-')) + (kind.suffix ?? '');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
  const target = await vscode.window.showSaveDialog({
    title: `Runtime Lens: Export ${kind.what}`,
    defaultUri: vscode.Uri.joinPath(folder, `${base}.${format.format}`),
    filters: format.format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
  });
  if (!target) return;
  try {
    const count = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Runtime Lens: exporting ${session.title}…` },
      () => kind.write(session, format.format, target.fsPath));
    const open = await vscode.window.showInformationMessage(`Runtime Lens: exported ${kind.done(count)} to ${target.fsPath}.`, 'Open');
    if (open) await vscode.window.showTextDocument(target);
  } catch (err) {
    showError(err);
  }
}
