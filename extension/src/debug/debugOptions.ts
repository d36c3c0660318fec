/*
 * Whether and how a debug configuration is traced: its `runtimeLens` attribute
 * (`true`, `false`, or `{events, stacks, rules}`) and the setting
 * runtimeLens.traceDebugSessions (`off`, `ask`, `always`). The attribute wins;
 * a bad value is named with what was expected.
 */
import { EVENT_GROUPS, type EventGroup } from '../../../remote-agent/src/protocol';
import { readRuleSettings } from '../findings/ruleSettings';

/** runtimeLens.traceDebugSessions */
export type TraceDebugSessions = 'off' | 'ask' | 'always';
export const TRACE_DEBUG_SESSIONS: readonly TraceDebugSessions[] = ['off', 'ask', 'always'];

/** What a traced debug session is traced with (unset: the runtimeLens.* settings). */
export interface DebugTraceOptions {
  events?: EventGroup[];
  stacks?: boolean;
  /** rule files (absolute), run besides the workspace's (runtimeLens.rules, .runtime-lens/rules.yaml) */
  rules?: string[];
}

/** The decision for one configuration. */
export type DebugTraceDecision =
  | { trace: 'no' }
  | { trace: 'yes' | 'ask'; options: DebugTraceOptions; problems: string[] };

/**
 * Reads a configuration's `runtimeLens` attribute against the setting. Relative rule files are
 * taken in `workspaceFolder` (~/ in the home folder), as runtimeLens.rules is.
 */
export function debugTraceDecision(attribute: unknown, setting: TraceDebugSessions, workspaceFolder?: string): DebugTraceDecision {
  if (attribute === undefined || attribute === null) {
    return setting === 'off' ? { trace: 'no' } : { trace: setting === 'always' ? 'yes' : 'ask', options: {}, problems: [] };
  }
  if (attribute === false) return { trace: 'no' };
  if (attribute === true) return { trace: 'yes', options: {}, problems: [] };
  const problems: string[] = [];
  if (typeof attribute !== 'object' || Array.isArray(attribute)) {
    return { trace: 'yes', options: {}, problems: [`"runtimeLens" in the launch configuration must be true, false or {"events": [...], "stacks": true, "rules": [...]}; got ${JSON.stringify(attribute)}. Traced with the runtimeLens.* settings.`] };
  }
  const a = attribute as Record<string, unknown>;
  const options: DebugTraceOptions = {};
  for (const key of Object.keys(a)) {
    if (!['events', 'stacks', 'rules'].includes(key)) problems.push(`"runtimeLens.${key}" in the launch configuration is not an option (expected events, stacks, rules); ignored.`);
  }
  if (a.events !== undefined) {
    const list = Array.isArray(a.events) ? a.events : [];
    const good = list.filter((g): g is EventGroup => (EVENT_GROUPS as readonly unknown[]).includes(g));
    if (!Array.isArray(a.events) || good.length !== list.length || good.length === 0) {
      problems.push(`"runtimeLens.events" must be a non-empty list of ${EVENT_GROUPS.join(', ')}; got ${JSON.stringify(a.events)}.${good.length ? ` Using ${good.join(', ')}.` : ' Using runtimeLens.events.'}`);
    }
    if (good.length) options.events = [...new Set(good)];
  }
  if (a.stacks !== undefined) {
    if (typeof a.stacks === 'boolean') options.stacks = a.stacks;
    else problems.push(`"runtimeLens.stacks" must be true or false; got ${JSON.stringify(a.stacks)}. Using runtimeLens.stacks.`);
  }
  if (a.rules !== undefined) {
    if (Array.isArray(a.rules) && a.rules.every((r) => typeof r === 'string')) {
      const read = readRuleSettings(a.rules, undefined, workspaceFolder, () => false);
      problems.push(...read.problems.map((m) => m.replace(/^runtimeLens\.rules/, '"runtimeLens.rules" in the launch configuration')));
      if (read.rules.files.length) options.rules = read.rules.files;
    } else {
      problems.push(`"runtimeLens.rules" must be a list of rule file paths; got ${JSON.stringify(a.rules)}; ignored.`);
    }
  }
  return { trace: 'yes', options, problems };
}

/** Reads runtimeLens.traceDebugSessions; a bad value is `off` and named. */
export function readTraceDebugSessions(value: unknown): { value: TraceDebugSessions; problem?: string } {
  if (value === undefined) return { value: 'off' };
  if ((TRACE_DEBUG_SESSIONS as readonly unknown[]).includes(value)) return { value: value as TraceDebugSessions };
  return { value: 'off', problem: `runtimeLens.traceDebugSessions must be one of ${TRACE_DEBUG_SESSIONS.join(', ')}; got ${JSON.stringify(value)}. Using off.` };
}
