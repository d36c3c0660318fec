// Mocha reporter for scripts/test.sh: the spec reporter's output, plus a JSON file counting, per
// top-level test folder (test/unit, test/e2e, …), the tests the run selected (after --grep) and
// how many it reported passed, failed or pending. A folder that reports fewer than it selected
// was cut short (a crash, a killed run); the file says `finished: false` until the run ends.
//   mocha --reporter test/helpers/suiteCountReporter.ts --reporter-option counts=FILE …
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { REPO_ROOT } from './paths';

const { EVENT_RUN_BEGIN, EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

/** What the counts file holds for one folder. */
export interface FolderCounts {
  selected: number;
  passed: number;
  failed: number;
  pending: number;
}

/** The counts file: per folder, hook failures (not tests, but failures), and whether the run ended. */
export interface SuiteCounts {
  finished: boolean;
  folders: Record<string, FolderCounts>;
  hookFailures: number;
}

/** "test/unit" for ".../test/unit/agent/x.test.ts": the first two path segments under the repository. */
export function topFolder(file: string | undefined): string {
  if (!file) return '(no file)';
  return path.relative(REPO_ROOT, file).split(path.sep).slice(0, 2).join('/');
}

class SuiteCountReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions & { reporterOption?: Record<string, string> }) {
    super(runner, options);
    const file = path.resolve(options.reporterOption?.counts ?? path.join(REPO_ROOT, 'test-output', 'suite-counts.json'));
    const counts: SuiteCounts = { finished: false, folders: {}, hookFailures: 0 };
    const folder = (test: Mocha.Runnable) => (counts.folders[topFolder(test.file)] ??= { selected: 0, passed: 0, failed: 0, pending: 0 });
    const write = () => {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(counts, null, 2)}\n`);
    };
    const seen = new Set<Mocha.Runnable>();
    const report = (key: 'passed' | 'failed' | 'pending') => (test: Mocha.Runnable & { type?: string }) => {
      if (test.type !== 'test') {
        if (key === 'failed') counts.hookFailures++;
        return;
      }
      if (seen.has(test)) return;
      seen.add(test);
      folder(test)[key]++;
      write(); // as it goes: a run that crashes still shows what it reported
    };

    runner.once(EVENT_RUN_BEGIN, () => {
      // The tests mocha will run: the same --grep/--invert match as Runner#grepTotal (.only is applied before this event).
      const { _grep: grep, _invert: invert } = runner as unknown as { _grep: RegExp; _invert?: boolean };
      runner.suite.eachTest((test) => {
        if (grep.test(test.fullTitle()) !== !!invert) folder(test).selected++;
      });
      write();
    });
    runner.on(EVENT_TEST_PASS, report('passed'));
    runner.on(EVENT_TEST_FAIL, report('failed'));
    runner.on(EVENT_TEST_PENDING, report('pending'));
    runner.once(EVENT_RUN_END, () => {
      counts.finished = true;
      write();
    });
  }
}

export default SuiteCountReporter;
