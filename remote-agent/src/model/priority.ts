/*
 * Finding priorities, Falco's eight, highest first: what a rule declares,
 * what `--fail-on` compares, and what SARIF levels and editor severities
 * are made from. Shared by the agent, the extension and the webview.
 */

/** Falco's priorities, highest first. */
export const PRIORITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Spellings Falco also accepts for a priority (any case). */
const ALIASES: Record<string, Priority> = { info: 'informational', warn: 'warning', err: 'error', crit: 'critical', emerg: 'emergency' };

/** The priority a rule file or a flag names (any case, Falco's short forms too); undefined when it names none. */
export function parsePriority(text: string): Priority | undefined {
  const t = text.trim().toLowerCase();
  return (PRIORITIES as readonly string[]).includes(t) ? (t as Priority) : ALIASES[t];
}

/** Whether `p` is `threshold` or higher. */
export function atLeast(p: Priority, threshold: Priority): boolean {
  return PRIORITIES.indexOf(p) <= PRIORITIES.indexOf(threshold);
}

/** SARIF 2.1.0 result level of a priority. */
export function sarifLevel(p: Priority): 'error' | 'warning' | 'note' {
  const i = PRIORITIES.indexOf(p);
  if (i <= PRIORITIES.indexOf('error')) return 'error';
  return p === 'warning' ? 'warning' : 'note';
}
