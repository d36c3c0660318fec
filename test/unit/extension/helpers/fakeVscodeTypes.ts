import { Emitter } from 'vscode-jsonrpc';
import type { VscodeTypes } from '../../../../extension/src/views/vscodeTypes';

/** Plain stand-ins for the vscode classes the tree views construct. */
class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;
  constructor(public label: string, public collapsibleState?: number) {}
}
class ThemeIcon {
  constructor(public id: string, public color?: unknown) {}
}
class ThemeColor {
  constructor(public id: string) {}
}
class MarkdownString {
  constructor(public value = '') {}
}

export const fakeVscodeTypes = {
  TreeItem,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ThemeIcon,
  ThemeColor,
  EventEmitter: Emitter,
  MarkdownString,
  StatusBarAlignment: { Left: 1, Right: 2 },
  Uri: {},
} as unknown as VscodeTypes;
