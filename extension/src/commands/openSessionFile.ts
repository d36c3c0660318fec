import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { SESSION_FILE_SUFFIX } from '../session/sessionFile';

/** A recorded session file on disk. */
export interface SessionFileEntry {
  file: string;
  mtimeMs: number;
  size: number;
}

/** Session files in a folder, newest first (a missing folder has none). */
export async function listSessionFiles(dir: string): Promise<SessionFileEntry[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`Runtime Lens could not list the sessions folder ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const entries = await Promise.all(names.filter((n) => n.endsWith(SESSION_FILE_SUFFIX)).map(async (n) => {
    const file = path.join(dir, n);
    const st = await fs.promises.stat(file).catch(() => undefined);
    return st?.isFile() ? { file, mtimeMs: st.mtimeMs, size: st.size } : undefined;
  }));
  return entries.filter((e): e is SessionFileEntry => e !== undefined).sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/** Checks a path typed or picked as a session file; returns the problem, or undefined when it is one. */
export async function checkSessionFile(file: string): Promise<string | undefined> {
  if (!path.isAbsolute(file)) return `"${file}" is not an absolute path; give the full path of a ${SESSION_FILE_SUFFIX} file.`;
  if (!file.endsWith(SESSION_FILE_SUFFIX)) return `${file} is not a session file (expected a name ending in ${SESSION_FILE_SUFFIX}).`;
  const st = await fs.promises.stat(file).catch(() => undefined);
  if (!st) return `${file} does not exist.`;
  if (!st.isFile()) return `${file} is not a file.`;
  return undefined;
}

type Item = vscode.QuickPickItem & { file?: string; browse?: boolean };

/** The slice of the vscode API the picker needs. */
export interface SessionFilePickerUi {
  createQuickPick(): Pick<vscode.QuickPick<Item>,
    'title' | 'placeholder' | 'items' | 'value' | 'activeItems' | 'selectedItems' | 'matchOnDescription' | 'matchOnDetail' | 'busy'
    | 'onDidAccept' | 'onDidHide' | 'show' | 'hide' | 'dispose'>;
  showOpenDialog(options: vscode.OpenDialogOptions): Thenable<vscode.Uri[] | undefined>;
  showErrorMessage(message: string): Thenable<unknown>;
  file(fsPath: string): vscode.Uri;
}

/**
 * "Open Session File…": the recorded sessions, newest first (searchable by name
 * and path), a typed absolute path, or "Browse…" for any folder. Resolves with
 * the file to open, or undefined when cancelled.
 */
export async function pickSessionFile(ui: SessionFilePickerUi, sessionsDirectory: string): Promise<string | undefined> {
  const qp = ui.createQuickPick();
  qp.title = 'Runtime Lens: Open Session File';
  qp.placeholder = `Pick a recorded session, or type the path of a ${SESSION_FILE_SUFFIX} file`;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.busy = true;
  const browse: Item = { label: '$(folder-opened) Browse…', description: 'choose a session file anywhere', browse: true, alwaysShow: true };
  qp.items = [browse];
  const loaded = listSessionFiles(sessionsDirectory).then((entries) => {
    qp.items = [browse, ...entries.map((e): Item => ({
      label: path.basename(e.file, SESSION_FILE_SUFFIX),
      description: `${new Date(e.mtimeMs).toLocaleString()} · ${(e.size / 1024).toFixed(1)} KiB`,
      detail: e.file,
      file: e.file,
    }))];
  }, (err: Error) => void ui.showErrorMessage(err.message)).finally(() => {
    qp.busy = false;
  });
  const choice = await new Promise<Item | { typed: string } | undefined>((resolve) => {
    const subs = [
      qp.onDidAccept(() => {
        const picked = qp.selectedItems[0] ?? qp.activeItems[0];
        const typed = qp.value.trim();
        // a typed absolute path wins over the item the filter happens to highlight
        if (path.isAbsolute(typed) && !(picked?.file === typed)) resolve({ typed });
        else resolve(picked);
        qp.hide();
      }),
      qp.onDidHide(() => {
        subs.forEach((s) => s.dispose());
        resolve(undefined);
      }),
    ];
    qp.show();
  });
  await loaded;
  qp.dispose();
  if (!choice) return undefined;
  let file: string | undefined;
  if ('typed' in choice) {
    file = choice.typed;
  } else if (choice.browse) {
    const picked = await ui.showOpenDialog({
      title: 'Runtime Lens: Open Session File',
      defaultUri: ui.file(sessionsDirectory),
      canSelectMany: false,
      filters: { 'Runtime Lens sessions': ['gz'] },
      openLabel: 'Open Session',
    });
    file = picked?.[0]?.fsPath;
  } else {
    file = choice.file;
  }
  if (!file) return undefined;
  const problem = await checkSessionFile(file);
  if (problem) {
    await ui.showErrorMessage(`Runtime Lens: ${problem}`);
    return undefined;
  }
  return file;
}
