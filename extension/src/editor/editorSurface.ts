/*
 * The editor API the source decorations paint through: one decoration type
 * (gutter mark, after-line hint in the CodeLens colour, whole-line hover) and
 * the visible text editors, each wrapped once.
 */
import * as vscode from 'vscode';
import type { DecoratedEditor, EditorSurface, LineDecoration } from './sourceDecorations';
import { SHOW_EVENTS_FOR_LINE } from './lineText';

/** The context key the editor's "Show Events for This Line" menu entry shows on. */
export const HAS_SOURCE_EVENTS = 'runtimeLens.hasSourceEvents';

/** The real editors, decorated with one decoration type (disposed with the returned surface). */
export function vscodeEditorSurface(extensionUri: vscode.Uri): EditorSurface & vscode.Disposable {
  const type = vscode.window.createTextEditorDecorationType({
    gutterIconPath: vscode.Uri.joinPath(extensionUri, 'extension', 'media', 'line-events.svg'),
    gutterIconSize: '70%',
    isWholeLine: true,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    overviewRulerColor: new vscode.ThemeColor('editorCodeLens.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
  const wrapped = new WeakMap<vscode.TextEditor, DecoratedEditor>();
  const wrap = (editor: vscode.TextEditor): DecoratedEditor => {
    let w = wrapped.get(editor);
    if (!w) {
      w = {
        get file() {
          return editor.document.uri.scheme === 'file' ? editor.document.uri.fsPath : undefined;
        },
        setDecorations: (lines: readonly LineDecoration[]) => editor.setDecorations(type, lines.map((d) => toOptions(d))),
      };
      wrapped.set(editor, w);
    }
    return w;
  };
  return {
    visibleEditors: () => vscode.window.visibleTextEditors.map(wrap),
    onDidChangeVisibleEditors: (listener) => vscode.window.onDidChangeVisibleTextEditors(() => listener()),
    setHasSourceEvents: (has) => void vscode.commands.executeCommand('setContext', HAS_SOURCE_EVENTS, has),
    dispose: () => type.dispose(),
  };
}

function toOptions(d: LineDecoration): vscode.DecorationOptions {
  const hover = new vscode.MarkdownString(d.hover);
  hover.isTrusted = { enabledCommands: [SHOW_EVENTS_FOR_LINE] };
  return {
    // at the end of the line (the model clamps the column): the hint follows the code
    range: new vscode.Range(d.line, Number.MAX_SAFE_INTEGER, d.line, Number.MAX_SAFE_INTEGER),
    hoverMessage: hover,
    renderOptions: {
      after: {
        contentText: d.hint,
        color: new vscode.ThemeColor('editorCodeLens.foreground'),
        fontStyle: 'italic',
        margin: '0 0 0 3em',
      },
    },
  };
}
