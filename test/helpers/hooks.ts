// Mocha root hooks (registered in .mocharc.json): after every integration test,
// finish the CLI runs and agents it left going, then prove no eBPF program or map of ours is
// still loaded. A leftover fails that test, not the rest of the suite.
import { readlinkSync } from 'node:fs';
import path from 'node:path';
import { stopAllAgents } from './agent';
import { bpfRequired, bpfUnavailableReason } from './bpf';
import { describeObjects, findHolders, lensObjects, type LensObject } from './bpf-objects';
import { REPO_ROOT } from './paths';
import { descendants, waitFor } from './procs';
import { finishAllRuns } from './trace';

const CHECKED_DIRS = ['test/integration', 'test/remote'].map((d) => path.join(REPO_ROOT, d) + path.sep);

function checked(file: string | undefined): boolean {
  return !!file && CHECKED_DIRS.some((dir) => path.resolve(file).startsWith(dir)) && bpfUnavailableReason() === null;
}

let before = new Set<string>();
/**
 * Objects of ours already loaded when the suite started (another session still
 * running, or maps the kernel never freed): reported once, never blamed on a test.
 */
let atStart: Set<string> | null = null;
const key = (o: LensObject): string => `${o.type}:${o.id}`;

/** The executable of `pid`, or '' when it cannot be read. */
function exe(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

/**
 * Objects loaded since the test started that belong to it: those held by one of
 * our processes, or by a probe binary of this checkout. Under LENS_REQUIRE_BPF=1
 * (CI) new objects held by no process count too; elsewhere they are only
 * reported, since on a shared machine another session may have left them.
 * Objects held by other checkouts' probes are never ours.
 */
function leftovers(): LensObject[] {
  const fresh = findHolders(lensObjects().filter((o) => !before.has(key(o))));
  const ours = new Set(descendants(process.pid).map((p) => p.pid));
  const strict = bpfRequired();
  const orphans = fresh.filter((o) => o.holders.length === 0);
  if (orphans.length && !strict) console.warn(`      (new eBPF objects held by no process, perhaps another session's:\n${describeObjects(orphans)})`);
  return fresh.filter((o) =>
    o.holders.length === 0
      ? strict
      : o.holders.some((h) => ours.has(h.pid) || (strict && exe(h.pid).startsWith(REPO_ROOT + path.sep))),
  );
}

export const mochaHooks = {
  beforeAll(): void {
    if (atStart !== null || bpfUnavailableReason() !== null) return;
    const found = lensObjects(true);
    atStart = new Set(found.map(key));
    if (found.length > 0) {
      console.warn(`note: ${found.length} eBPF object(s) named lens* were loaded before the tests started; they are not counted as leftovers:\n${describeObjects(found)}`);
    }
  },

  beforeEach(this: Mocha.Context): void {
    if (checked(this.currentTest?.file)) before = new Set(lensObjects().map(key));
  },

  async afterEach(this: Mocha.Context): Promise<void> {
    await Promise.all([finishAllRuns(), stopAllAgents()]);
    if (!checked(this.currentTest?.file)) return;
    let left: LensObject[] = [];
    try {
      // The kernel frees programs after their last fd closes, detaching each from its
      // tracepoint; with ~100 programs on a loaded machine that takes seconds.
      await waitFor('eBPF programs and maps of ours to be unloaded', () => (left = leftovers()).length === 0, 20_000);
    } catch {
      const err = new Error(`eBPF objects of ours are still loaded after "${this.currentTest?.fullTitle()}":\n${describeObjects(left)}`);
      if (this.currentTest?.state === 'failed') console.error(err.message);
      else (this.test as unknown as Mocha.Hook).error(err);
    }
  },

  async afterAll(): Promise<void> {
    await Promise.all([finishAllRuns(), stopAllAgents()]);
    watchExit();
  },
};

/** How long the run may go on after its last test before what keeps it alive is named and the run fails. */
const EXIT_GRACE_MS = 60_000;

/**
 * A test that leaves a socket, a child or a timer going keeps mocha (run without --exit) from
 * ending, and CI would wait for its time limit: name what is left and fail the run instead.
 */
function watchExit(): void {
  setTimeout(() => {
    console.error(`mocha: still running ${EXIT_GRACE_MS / 1000} s after the last test; a test left these going: ${JSON.stringify(process.getActiveResourcesInfo())}`);
    process.on('exit', () => { process.exitCode = 1; }); // after mocha's own exit handler, which sets the failure count
    process.exit(1);
  }, EXIT_GRACE_MS).unref();
}
