/*
 * Which rule files a workspace's sessions use: the files of runtimeLens.rules
 * (relative to the workspace folder, ~/ for the home folder) and the
 * workspace's .runtime-lens/rules.yaml when it exists; and the rules
 * disabled for the workspace (runtimeLens.disabledRules).
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SessionRules } from '../../../remote-agent/src/protocol';

/** The workspace's own rule file, used without being named in a setting. */
export const WORKSPACE_RULES_FILE = path.join('.runtime-lens', 'rules.yaml');

/** The rules a session starts with, and what was wrong in the settings. */
export function readRuleSettings(rawFiles: unknown, rawDisabled: unknown, workspaceFolder: string | undefined, exists: (p: string) => boolean = existsSync): { rules: Required<Pick<SessionRules, 'files' | 'disabled'>>; problems: string[] } {
  const problems: string[] = [];
  const files: string[] = [];
  const list = (raw: unknown, name: string): string[] => {
    if (raw === undefined || raw === null) return [];
    if (Array.isArray(raw) && raw.every((f) => typeof f === 'string')) return raw as string[];
    problems.push(`${name} must be a list of strings; got ${JSON.stringify(raw)}. It is ignored.`);
    return [];
  };
  for (const f of list(rawFiles, 'runtimeLens.rules')) {
    const expanded = f.startsWith('~/') ? path.join(os.homedir(), f.slice(2)) : f;
    if (path.isAbsolute(expanded)) files.push(expanded);
    else if (workspaceFolder) files.push(path.join(workspaceFolder, expanded));
    else problems.push(`runtimeLens.rules: "${f}" is relative, and there is no workspace folder to find it in; give an absolute path.`);
  }
  if (workspaceFolder) {
    const own = path.join(workspaceFolder, WORKSPACE_RULES_FILE);
    if (exists(own) && !files.includes(own)) files.push(own);
  }
  return { rules: { files, disabled: list(rawDisabled, 'runtimeLens.disabledRules') }, problems };
}
