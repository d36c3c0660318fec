/*
 * Runtime-reachable dependencies: per package (packages.ts), how many events
 * of each kind its code caused, updated batch by batch. The Dependencies view
 * shows it (with the latest events of each package) and the export writes it.
 */
import type { EventKind, LensEvent } from '../protocol';
import { ALL_KINDS, KINDS } from './event-model';
import { eventPackages, type PackageKind } from './packages';

/** One package and what its code did. */
export interface DependencyRow {
  name: string;
  kind: PackageKind;
  /** events attributed to it */
  total: number;
  byKind: Partial<Record<EventKind, number>>;
}

interface Entry extends DependencyRow {
  /** the latest events, at most keepEvents */
  recent: LensEvent[];
}

/** Why it exists: count, per package, the events its code caused, without keeping every event. */
export class DependencyIndex {
  private readonly entries = new Map<string, Entry>();
  /** events that carried frames (the ones attribution could look at) */
  withStacks = 0;

  /** `keepEvents`: how many of each package's latest events to keep for showing */
  constructor(readonly keepEvents = 0) {}

  /** Adds a batch; returns whether any package's counts changed. */
  add(events: readonly LensEvent[]): boolean {
    let changed = false;
    for (const e of events) {
      if (e.frames && e.frames.length > 0) this.withStacks++;
      for (const p of eventPackages(e)) {
        const id = `${p.kind}:${p.name}`;
        let entry = this.entries.get(id);
        if (!entry) {
          entry = { name: p.name, kind: p.kind, total: 0, byKind: {}, recent: [] };
          this.entries.set(id, entry);
        }
        entry.total++;
        entry.byKind[e.kind] = (entry.byKind[e.kind] ?? 0) + 1;
        if (this.keepEvents > 0) {
          if (entry.recent.length >= this.keepEvents) entry.recent.shift();
          entry.recent.push(e);
        }
        changed = true;
      }
    }
    return changed;
  }

  clear(): void {
    this.entries.clear();
    this.withStacks = 0;
  }

  /** Every package, most events first (then by name). */
  rows(): DependencyRow[] {
    return [...this.entries.values()]
      .map(({ name, kind, total, byKind }) => ({ name, kind, total, byKind: { ...byKind } }))
      .sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The latest events kept for a package (oldest first). */
  recent(kind: PackageKind, name: string): readonly LensEvent[] {
    return this.entries.get(`${kind}:${name}`)?.recent ?? [];
  }
}

/** The kinds that occur in some row, in the event model's order (the export's and the view's columns). */
export function dependencyKinds(rows: readonly DependencyRow[]): EventKind[] {
  return ALL_KINDS.filter((k) => rows.some((r) => (r.byKind[k] ?? 0) > 0));
}

/** One line per kind count, e.g. "open 3 · connect 1", in the event model's order and labels. */
export function kindCountsText(byKind: Partial<Record<EventKind, number>>): string {
  return ALL_KINDS.filter((k) => (byKind[k] ?? 0) > 0).map((k) => `${KINDS[k].label} ${byKind[k]}`).join(' · ');
}
