// Source-linking accuracy: every program of the corpus (test/fixtures/corpus, test/helpers/corpus.ts)
// run `runs` times under `runtime-lens trace --json --stacks`; per language, the share of marked
// lines whose event names them exactly (file:line, and column where the language has one).
import { corpusPrograms, LANGUAGES, runProgram, type Language } from '../../test/helpers/corpus';

/** One language's score over every run of its programs. */
export interface LanguageAccuracy {
  language: Language;
  programs: string[];
  marked: number;
  exact: number;
  /** the goal: 100% where every marked call is synchronous (C, Node sync, Python), else 95% */
  goalPct: number;
}

export interface SourceAccuracy {
  runs: number;
  languages: LanguageAccuracy[];
  /** each distinct miss: the marked line, what its event gave instead, how many runs */
  misses: Array<{ program: string; want: string; got: string; count: number }>;
  /** events lost over all runs (from the CLI's summaries) */
  lost: number;
  failedRuns: string[];
}

const ALL_SYNC: ReadonlySet<Language> = new Set(['C', 'Node sync', 'Python']);

/** Runs the corpus `runs` times, programs interleaved run by run. */
export async function measureSourceAccuracy(runs: number, log: (msg: string) => void): Promise<SourceAccuracy> {
  const programs = corpusPrograms();
  const by = new Map<Language, LanguageAccuracy>(LANGUAGES.map((language) => [language, {
    language, programs: programs.filter((p) => p.language === language).map((p) => p.id), marked: 0, exact: 0, goalPct: ALL_SYNC.has(language) ? 100 : 95,
  }]));
  const misses = new Map<string, { program: string; want: string; got: string; count: number }>();
  const failedRuns: string[] = [];
  let lost = 0;
  for (let r = 1; r <= runs; r++) {
    for (const p of programs) {
      try {
        const { result, scores } = await runProgram(p);
        if (result.code !== 0) throw new Error(`exit ${result.code ?? result.signal}: ${result.stderr.trim().split('\n').slice(-2).join(' | ')}`);
        lost += result.summary?.lost ?? 0;
        const acc = by.get(p.language)!;
        acc.marked += scores.length;
        acc.exact += scores.filter((s) => s.exact).length;
        for (const s of scores.filter((x) => !x.exact)) {
          const key = `${p.id} ${s.want} ${s.got}`;
          const m = misses.get(key) ?? { program: p.id, want: s.want, got: s.got, count: 0 };
          m.count++;
          misses.set(key, m);
        }
        log(`source accuracy: ${p.id} run ${r}/${runs}: ${scores.filter((s) => s.exact).length}/${scores.length} exact`);
      } catch (err) {
        failedRuns.push(`${p.id} run ${r}: ${(err as Error).message}`);
        log(`source accuracy: ${p.id} run ${r}/${runs} failed: ${(err as Error).message}`);
      }
    }
  }
  return { runs, languages: [...by.values()].filter((l) => l.programs.length), misses: [...misses.values()], lost, failedRuns };
}
