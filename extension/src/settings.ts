import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { parsePathMappings, type PathMapping } from './editor/pathMappings';
import { readRuleSettings } from './findings/ruleSettings';
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
  /** per remote host (as connected to): its roots mapped to local folders, used before pathMappings */
  remotePathMappings: Record<string, PathMapping[]>;
  /** ssh options (`-o` values) for every remote host, e.g. IdentityFile=~/.ssh/staging */
  sshOptions: string[];
  /** rule files (runtimeLens.rules and .runtime-lens/rules.yaml, absolute) and rules disabled for the workspace */
  rules: { files: string[]; disabled: string[] };
}

/** The mappings for paths traced on `host` (this machine: undefined): the host's own first, then runtimeLens.pathMappings. */
export function pathMappingsFor(s: Pick<LensSettings, 'pathMappings' | 'remotePathMappings'>, host: string | undefined): PathMapping[] {
  const own = host !== undefined ? s.remotePathMappings[host] : undefined;
  return own ? [...own, ...s.pathMappings] : s.pathMappings;
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
  const remotePathMappings = parseRemotePathMappings(config.get<unknown>('remotePathMappings'), workspaceFolder, problems);
  const sshOptions = parseSshOptions(config.get<unknown>('sshOptions'), problems);

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

  const ruleSettings = readRuleSettings(config.get<unknown>('rules'), config.get<unknown>('disabledRules'), workspaceFolder);
  problems.push(...ruleSettings.problems);

  return { settings: { agentPath, runWithSudo, events, redact, maxEventsInMemory, sessionsDirectory, openEventsOnStart, decorations, stacks, pathMappings: mapped.mappings, remotePathMappings, sshOptions, rules: ruleSettings.rules }, problems };
}

/** runtimeLens.remotePathMappings: { "HOST": { "/srv/app": "${workspaceFolder}" } }, each host's read as runtimeLens.pathMappings is. */
function parseRemotePathMappings(raw: unknown, workspaceFolder: string | undefined, problems: string[]): Record<string, PathMapping[]> {
  const byHost: Record<string, PathMapping[]> = {};
  if (raw === undefined || raw === null) return byHost;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`runtimeLens.remotePathMappings must map a host to its folder mappings, e.g. { "deploy@staging": { "/srv/app": "\${workspaceFolder}" } }; got ${JSON.stringify(raw)}. No host has its own mappings.`);
    return byHost;
  }
  for (const [host, value] of Object.entries(raw as Record<string, unknown>)) {
    const mapped = parsePathMappings(value, workspaceFolder);
    problems.push(...mapped.problems.map((p) => p.replace('runtimeLens.pathMappings', `runtimeLens.remotePathMappings["${host}"]`)));
    byHost[host] = mapped.mappings;
  }
  return byHost;
}

/** runtimeLens.sshOptions: ssh -o values; one that could not be an option (no "Key=value" or "Key value") is named and left out. */
function parseSshOptions(raw: unknown, problems: string[]): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push(`runtimeLens.sshOptions must be a list of ssh options such as "IdentityFile=~/.ssh/staging"; got ${JSON.stringify(raw)}. None is used.`);
    return [];
  }
  return raw.filter((o): o is string => {
    const ok = typeof o === 'string' && /^[A-Za-z][A-Za-z0-9]*(=|\s+)\S/.test(o.trim());
    if (!ok) problems.push(`runtimeLens.sshOptions: ${JSON.stringify(o)} is not an ssh option; expected "Key=value" as given to ssh -o (e.g. "Port=2222"). It is ignored.`);
    return ok;
  }).map((o) => o.trim());
}
