/*
 * A behaviour profile (`runtime-lens baseline record`): what a run did, as
 * the behaviours of behaviour.ts grouped by category, each with the packages
 * seen doing it. Written as sorted, indented JSON so it can be committed and
 * reviewed like code.
 */
import type { LensEvent } from '../protocol';
import { eventPackages } from '../model/packages';
import { ProcessTree } from '../model/process-tree';
import { behavioursOf, readsOwnImage, type BehaviourCategory } from './behaviour';

/** One behaviour in a profile. */
export interface ProfileEntry {
  /** the behaviour's group (behaviour.ts): "/bin/sh -c <str>", "read /etc", "connect tcp example.com:443" */
  behaviour: string;
  /** how many events showed it */
  count: number;
  /** packages seen doing it (node_modules/<name>, site-packages/<name>, a library), from the events' stacks */
  packages: string[];
  /** whether any of its events had a stack (so its packages are known) */
  stacks: boolean;
  /** a few of the paths, commands or addresses it stands for */
  examples: string[];
}

/** The file `baseline record` writes. */
export interface BehaviourProfile {
  runtimeLensBaseline: 1;
  /** when it was recorded (ISO 8601) */
  recorded: string;
  command?: string[];
  /** the traced machine's architecture (the syscall names are its) */
  arch?: string;
  executables: ProfileEntry[];
  files: ProfileEntry[];
  endpoints: ProfileEntry[];
  /** syscall names; null when the run's syscalls were not counted */
  syscalls: string[] | null;
}

/** A profile's part for each category. */
export const CATEGORY_FIELD = { executable: 'executables', file: 'files', endpoint: 'endpoints' } as const;

const MAX_EXAMPLES = 3;

interface Entry { count: number; packages: Set<string>; stacks: boolean; examples: string[] }

/** Folds events (and syscall names) into a profile. */
export class ProfileBuilder {
  private readonly entries: Record<Exclude<BehaviourCategory, 'syscall'>, Map<string, Entry>> = { executable: new Map(), file: new Map(), endpoint: new Map() };
  private syscalls: Set<string> | undefined;
  private readonly processes = new ProcessTree();

  add(events: Iterable<LensEvent>): void {
    for (const e of events) {
      this.processes.apply([e]);
      if (readsOwnImage(e, this.processes)) continue;
      const bs = behavioursOf(e);
      if (!bs.length) continue;
      const packages = eventPackages(e).map((p) => p.name);
      const stacks = !!e.frames?.length;
      for (const b of bs) {
        if (b.category === 'syscall') { (this.syscalls ??= new Set()).add(b.key); continue; }
        const map = this.entries[b.category];
        let entry = map.get(b.group);
        if (!entry) { entry = { count: 0, packages: new Set(), stacks: false, examples: [] }; map.set(b.group, entry); }
        entry.count++;
        entry.stacks ||= stacks;
        for (const p of packages) entry.packages.add(p);
        const example = b.text.replace(/^\S+( to| on| up| the mode of| the owner of)? /, '');
        if (entry.examples.length < MAX_EXAMPLES && !entry.examples.includes(example)) entry.examples.push(example);
      }
    }
  }

  /** Syscall names the run used (its in-kernel counts). */
  addSyscalls(names: Iterable<string>): void {
    const set = (this.syscalls ??= new Set());
    for (const n of names) set.add(n);
  }

  profile(meta: { recorded: Date; command?: string[]; arch?: string }): BehaviourProfile {
    const list = (m: Map<string, Entry>): ProfileEntry[] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([behaviour, e]) => ({
      behaviour, count: e.count, packages: [...e.packages].sort(), stacks: e.stacks, examples: e.examples,
    }));
    return {
      runtimeLensBaseline: 1,
      recorded: meta.recorded.toISOString(),
      ...(meta.command ? { command: meta.command } : {}),
      ...(meta.arch ? { arch: meta.arch } : {}),
      executables: list(this.entries.executable),
      files: list(this.entries.file),
      endpoints: list(this.entries.endpoint),
      syscalls: this.syscalls ? [...this.syscalls].sort() : null,
    };
  }
}

/** The profile as a file. */
export function profileText(p: BehaviourProfile): string {
  return JSON.stringify(p, null, 2) + '\n';
}

/** A file that is not a behaviour profile: says which file and what is wrong. */
export class ProfileError extends Error {}

/** Reads a profile written by `baseline record` (or Save as Baseline); throws ProfileError naming the file and the problem. */
export function parseProfile(text: string, file: string): BehaviourProfile {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`${file} is not JSON: ${(e as Error).message}`);
  }
  const o = p as Partial<BehaviourProfile> | null;
  if (!o || typeof o !== 'object' || o.runtimeLensBaseline !== 1) {
    throw new ProfileError(`${file} is not a Runtime Lens baseline (no "runtimeLensBaseline": 1); make one with \`runtime-lens baseline record -o ${file} -- COMMAND\``);
  }
  for (const field of Object.values(CATEGORY_FIELD)) {
    const list = o[field];
    if (!Array.isArray(list) || list.some((e) => typeof e?.behaviour !== 'string' || !Array.isArray(e.packages))) {
      throw new ProfileError(`${file}: "${field}" must be a list of {behaviour, packages, ...} entries`);
    }
  }
  if (o.syscalls !== null && (!Array.isArray(o.syscalls) || o.syscalls.some((s) => typeof s !== 'string'))) {
    throw new ProfileError(`${file}: "syscalls" must be a list of syscall names, or null`);
  }
  return o as BehaviourProfile;
}
