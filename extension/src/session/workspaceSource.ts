/*
 * An event's source as this window sees it. The agent picks the innermost frame that is not in a
 * runtime, the standard library or a dependency; it does not know the window's workspace
 * folders. Here the innermost frame inside a workspace folder (or a root runtimeLens.pathMappings
 * maps into the window) wins, so a workspace under /usr/src, or a package being developed inside
 * site-packages, still has its own lines as the source.
 */
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { sourceFrame } from '../../../remote-agent/src/model/source-frame';

/** Sets `source` of each event with frames from the window's source roots (traced-machine paths). */
export function applyWorkspaceSource(events: readonly LensEvent[], roots: readonly string[]): void {
  if (roots.length === 0) return;
  for (const e of events) {
    if (!e.frames) continue;
    const source = sourceFrame(e.frames, roots);
    if (source) e.source = source;
  }
}
