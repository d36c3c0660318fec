/*
 * A session's findings grouped by rule, with counts: what the Findings view,
 * the Problems panel and the notifications show. The agent's findings come
 * with the session's events; Compare with Baseline adds drift findings.
 */
import { PRIORITIES, type Priority } from '../../../remote-agent/src/model/priority';
import type { FindingEvent, LensEvent } from '../../../remote-agent/src/protocol';

/** The findings of one rule. */
export interface FindingGroup {
  rule: string;
  /** the highest priority among them */
  priority: Priority;
  /** all of them, kept or not */
  count: number;
  /** the first MAX_KEPT_PER_RULE */
  findings: FindingEvent[];
}

/** Findings kept per rule for showing (the count goes on). */
export const MAX_KEPT_PER_RULE = 500;

/** Whether an event is a finding. */
export function isFinding(e: LensEvent): e is FindingEvent {
  return e.kind === 'finding';
}

/** Findings by rule, highest priority first. */
export class FindingsIndex {
  private readonly byRule = new Map<string, FindingGroup>();

  /** Adds the findings among `events`; returns them. */
  add(events: readonly LensEvent[]): FindingEvent[] {
    const added: FindingEvent[] = [];
    for (const e of events) {
      if (!isFinding(e)) continue;
      let g = this.byRule.get(e.rule);
      if (!g) { g = { rule: e.rule, priority: e.priority, count: 0, findings: [] }; this.byRule.set(e.rule, g); }
      g.count++;
      if (PRIORITIES.indexOf(e.priority) < PRIORITIES.indexOf(g.priority)) g.priority = e.priority;
      if (g.findings.length < MAX_KEPT_PER_RULE) g.findings.push(e);
      added.push(e);
    }
    return added;
  }

  /** Groups, highest priority first, then most findings, then by name. */
  groups(): FindingGroup[] {
    return [...this.byRule.values()].sort((a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || b.count - a.count || a.rule.localeCompare(b.rule));
  }

  /** Every kept finding. */
  all(): FindingEvent[] {
    return this.groups().flatMap((g) => g.findings);
  }

  get total(): number {
    let n = 0;
    for (const g of this.byRule.values()) n += g.count;
    return n;
  }
}
