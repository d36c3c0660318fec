/*
 * The privileges lens-probe needs when it does not run as root, and the one
 * command that grants them. Every message that advises setcap (doctor,
 * initialize's problem, a session that fails to start) takes it from here, so
 * they match each other and the probe's own message (bpf/linux/checks_helpers.c).
 */
import type { Fix } from '../../protocol';
import { Fixes } from '../../trace/errors';

/**
 * File capabilities the probe needs: CAP_BPF and CAP_PERFMON to load and attach its
 * programs, CAP_DAC_READ_SEARCH to read tracefs event ids.
 */
export const PROBE_CAPABILITIES = ['cap_bpf', 'cap_perfmon', 'cap_dac_read_search'] as const;

/** The exact command that gives the probe at `probePath` its capabilities. */
export function setcapCommand(probePath: string): string {
  return Fixes.setcap(probePath, PROBE_CAPABILITIES).text;
}

/** Whether file capabilities as getcap prints them after the path ("cap_bpf,cap_perfmon=ep ...") make every needed one effective. */
export function hasProbeCapabilities(capsText: string): boolean {
  const effective = new Set<string>();
  for (const clause of capsText.trim().split(/\s+/)) {
    const m = /^([\w,]+)[=+]([a-z]*)$/.exec(clause);
    if (m && m[2].includes('e')) for (const c of m[1].split(',')) effective.add(c);
  }
  return PROBE_CAPABILITIES.every((c) => effective.has(c));
}

/** What to do when the probe lacks its privileges: the setcap command first, root as the alternative. */
export function privilegeFixes(probePath: string): Fix[] {
  return [Fixes.setcap(probePath, PROBE_CAPABILITIES), Fixes.sudo()];
}
