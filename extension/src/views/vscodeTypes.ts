import type * as vscode from 'vscode';

/** The vscode classes and enums views construct (injected, so tests can pass plain fakes). */
export type VscodeTypes = Pick<typeof vscode,
  'TreeItem' | 'TreeItemCollapsibleState' | 'ThemeIcon' | 'ThemeColor' | 'EventEmitter' | 'MarkdownString' | 'StatusBarAlignment' | 'Uri'>;
