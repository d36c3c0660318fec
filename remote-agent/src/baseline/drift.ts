/*
 * Drift: what a run does that its baseline profile does not have — a new
 * executable or argument shape, a new access to a directory, a new endpoint
 * or lookup, a new syscall, or a known behaviour done by a package not seen
 * doing it. Each is reported once, with the event that first showed it.
 */
import type { FindingEvent, Frame, LensEvent } from '../protocol';
import { eventPackages } from '../model/packages';
import { ProcessTree } from '../model/process-tree';
import { behavioursOf, readsOwnImage, type Behaviour, type BehaviourCategory } from './behaviour';
import { CATEGORY_FIELD, type BehaviourProfile } from './profile';

/** One thing the baseline does not have. */
export interface Drift {
  behaviour: Behaviour;
  /** the event that showed it (none for syscalls known only from counts) */
  event?: LensEvent;
  /** set when the behaviour is known but this package was never seen doing it */
  newPackage?: string;
}

/** The rule name a drift finding carries, per category: the Findings view groups by it. */
export const DRIFT_RULES: Record<BehaviourCategory | 'package', string> = {
  executable: 'New executable (not in the baseline)',
  file: 'New file access (not in the baseline)',
  endpoint: 'New network endpoint (not in the baseline)',
  syscall: 'New syscall (not in the baseline)',
  package: 'Known behaviour from a new package (not in the baseline)',
};

interface Known { packages: Set<string>; stacks: boolean }

/** Compares events with one baseline. */
export class DriftDetector {
  private readonly known: Record<Exclude<BehaviourCategory, 'syscall'>, Map<string, Known>>;
  private readonly syscalls: Set<string> | null;
  private readonly reported = new Set<string>();
  private readonly processes = new ProcessTree();

  constructor(readonly baseline: BehaviourProfile) {
    const index = (field: (typeof CATEGORY_FIELD)[keyof typeof CATEGORY_FIELD]) =>
      new Map(baseline[field].map((e) => [e.behaviour, { packages: new Set(e.packages), stacks: e.stacks }]));
    this.known = { executable: index('executables'), file: index('files'), endpoint: index('endpoints') };
    this.syscalls = baseline.syscalls ? new Set(baseline.syscalls) : null;
  }

  /** Whether the baseline has the run's syscalls to compare with (it was recorded counting them). */
  get comparesSyscalls(): boolean {
    return this.syscalls !== null;
  }

  /** What this event shows that is new (and was not reported yet). */
  check(e: LensEvent): Drift[] {
    const out: Drift[] = [];
    this.processes.apply([e]);
    if (readsOwnImage(e, this.processes)) return out;
    for (const b of behavioursOf(e)) {
      if (b.category === 'syscall') { out.push(...this.syscall(b, e)); continue; }
      const known = this.known[b.category].get(b.group);
      if (!known) {
        if (this.once(`${b.category}\0${b.group}`)) out.push({ behaviour: b, event: e });
        continue;
      }
      // a package doing it is new only where the baseline saw this behaviour's stacks
      if (!known.stacks) continue;
      for (const p of eventPackages(e)) {
        if (!known.packages.has(p.name) && this.once(`package\0${b.group}\0${p.name}`)) out.push({ behaviour: b, event: e, newPackage: p.name });
      }
    }
    return out;
  }

  /** Syscalls of a run's counts that the baseline's counts do not have. */
  checkSyscalls(names: Iterable<string>): Drift[] {
    const out: Drift[] = [];
    for (const name of names) out.push(...this.syscall({ category: 'syscall', key: name, group: name, text: `calls ${name}` }));
    return out;
  }

  private syscall(b: Behaviour, e?: LensEvent): Drift[] {
    if (!this.syscalls || this.syscalls.has(b.key) || !this.once(`syscall\0${b.key}`)) return [];
    return [{ behaviour: b, event: e }];
  }

  private once(id: string): boolean {
    if (this.reported.has(id)) return false;
    this.reported.add(id);
    return true;
  }
}

function relative(file: string, root: string | undefined): string {
  if (!root) return file;
  const r = root.endsWith('/') ? root : root + '/';
  return file.startsWith(r) ? file.slice(r.length) : file;
}

/** The innermost frame with a line in a file (not a runtime's built-in module such as node:net): the code that did it, a dependency's included. */
function codeFrame(frames: readonly Frame[] | undefined): (Frame & { file: string; line: number }) | undefined {
  return frames?.find((f): f is Frame & { file: string; line: number } => !!f.file && !!f.line && (f.file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(f.file)));
}

/**
 * The finding's text: "new: connects to 203.0.113.9:4444 from node_modules/evil-pkg/index.js:12".
 * Paths under `root` (the traced program's folder) are written relative to it.
 */
export function driftText(d: Drift, root?: string): string {
  const e = d.event;
  const f = codeFrame(e?.frames) ?? (e?.source ? { ...e.source, kind: 'js' as const } : undefined);
  const where = f ? ` from ${relative(f.file, root)}:${f.line}` : e ? ` by ${e.comm} (pid ${e.pid})` : '';
  const who = d.newPackage ? ` (${d.newPackage}, not seen doing "${d.behaviour.group}" in the baseline)` : '';
  return `new: ${d.behaviour.text}${where}${who}`;
}

/** The rule a drift is reported under. */
export function driftRule(d: Drift): string {
  return DRIFT_RULES[d.newPackage ? 'package' : d.behaviour.category];
}

/** The tag every drift finding carries (with its category). */
export const DRIFT_TAG = 'drift';

/**
 * A drift as a `finding` event that follows the event which showed it: the rule is the category's
 * (DRIFT_RULES), the priority `warning`, the output driftText's.
 */
export function driftFinding(d: Drift & { event: LensEvent }, root?: string): FindingEvent {
  const e = d.event;
  return {
    ts: e.ts, pid: e.pid, tid: e.tid, ppid: e.ppid, uid: e.uid, comm: e.comm, key: e.key,
    ...(e.pkey ? { pkey: e.pkey } : {}), ...(e.frames ? { frames: e.frames } : {}), ...(e.source ? { source: e.source } : {}),
    kind: 'finding', rule: driftRule(d), priority: 'warning', output: driftText(d, root),
    tags: [DRIFT_TAG, d.newPackage ? 'package' : d.behaviour.category], event: e,
  };
}
