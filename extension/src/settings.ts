import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { parsePathMappings, type PathMapping } from './editor/pathMappings';
import { DEFAULT_EVENT_GROUPS, EVENT_GROUPS, type EventGroup } from '../../remote-agent/src/protocol';

/** runtimeLens.* settings, validated. */
export interface LensSettings {
  agentPath: string;
  runWithSudo: boolean;
  events: EventGroup[];
  redact: boolean;
  maxEventsInMemory: number;
  sessionsDirectory: string;
  openEventsOnStart: boolean;
  /** the editor shows events at the source lines that caused them */
  decorations: boolean;
  /** events carry their stack and source line (session/start `stacks`) */
  stacks: boolean;
  /** roots of the traced machine's source paths mapped to local folders */
  pathMappings: PathMapping[];
}

export const MIN_EVENTS_IN_MEMORY = 1000;
export const DEFAULT_EVENTS_IN_MEMORY = 200000;

/**
 * Reads and checks runtimeLens.* settings. Bad values fall back to the default
 * and are listed in `problems` (each names the setting, the bad value and
 * what is expected) so the user is told instead of silently ignored.
 */
export function readSettings(config: Pick<vscode.WorkspaceConfiguration, 'get'>, defaultSessionsDirectory: string, workspaceFolder?: string): { settings: LensSettings; problems: string[] } {
  const problems: string[] = [];
  const agentPath = config.get<string>('agentPath', '') ?? '';
  const runWithSudo = config.get<boolean>('runWithSudo', false) === true;
  const redact = config.get<boolean>('redact', true) !== false;
  const openEventsOnStart = config.get<boolean>('openEventsOnStart', true) !== false;
  const decorations = config.get<boolean>('decorations', true) !== false;
  const stacks = config.get<boolean>('stacks', false) === true;
  const mapped = parsePathMappings(config.get<unknown>('pathMappings'), workspaceFolder);
  problems.push(...mapped.problems);

  let events: EventGroup[] = [...DEFAULT_EVENT_GROUPS];
  const rawEvents = config.get<unknown>('events');
  if (rawEvents !== undefined) {
    if (!Array.isArray(rawEvents)) {
      problems.push(`runtimeLens.events must be a list of event groups (${EVENT_GROUPS.join(', ')}); got ${JSON.stringify(rawEvents)}. Using the default.`);
    } else {
      const bad = rawEvents.filter((g) => !(EVENT_GROUPS as readonly unknown[]).includes(g));
      if (bad.length > 0) problems.push(`runtimeLens.events: unknown event group(s) ${bad.map((b) => JSON.stringify(b)).join(', ')}; expected some of ${EVENT_GROUPS.join(', ')}. They are ignored.`);
      const good = rawEvents.filter((g): g is EventGroup => (EVENT_GROUPS as readonly unknown[]).includes(g));
      if (good.length > 0) events = [...new Set(good)];
      else if (rawEvents.length > 0 || bad.length === 0) problems.push('runtimeLens.events names no valid event group; using the default (exec, file, net, dns).');
    }
  }

  let maxEventsInMemory = DEFAULT_EVENTS_IN_MEMORY;
  const rawMax = config.get<unknown>('maxEventsInMemory');
  if (rawMax !== undefined) {
    if (typeof rawMax === 'number' && Number.isInteger(rawMax) && rawMax >= MIN_EVENTS_IN_MEMORY) maxEventsInMemory = rawMax;
    else problems.push(`runtimeLens.maxEventsInMemory must be an integer ≥ ${MIN_EVENTS_IN_MEMORY}; got ${JSON.stringify(rawMax)}. Using ${DEFAULT_EVENTS_IN_MEMORY}.`);
  }

  let sessionsDirectory = defaultSessionsDirectory;
  const rawDir = (config.get<string>('sessionsDirectory', '') ?? '').trim();
  if (rawDir) {
    const expanded = rawDir.startsWith('~/') ? path.join(os.homedir(), rawDir.slice(2)) : rawDir;
    if (path.isAbsolute(expanded)) sessionsDirectory = expanded;
    else problems.push(`runtimeLens.sessionsDirectory must be an absolute path (or start with ~/); got "${rawDir}". Using ${defaultSessionsDirectory}.`);
  }

  return { settings: { agentPath, runWithSudo, events, redact, maxEventsInMemory, sessionsDirectory, openEventsOnStart, decorations, stacks, pathMappings: mapped.mappings }, problems };
}
