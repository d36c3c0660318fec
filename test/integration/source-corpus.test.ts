// The source-linking corpus (test/fixtures/corpus) through the real probe: each program
// runs under `runtime-lens trace --json --stacks`, and every line marked `@lens KIND NAME`
// must be the source of its event, file:line exactly, and column where the language has one:
// C built -O2 -g without frame pointers, C++ with inlined calls, Go, Rust, Node's
// synchronous and asynchronous calls, TypeScript through tsc's and esbuild's source maps,
// Python on Debian's interpreter and a newer one. `npm run bench` measures the same corpus.
import assert from 'node:assert/strict';
import { requireBpf } from '../helpers/bpf';
import { corpusPrograms, runProgram, type Score } from '../helpers/corpus';
import { assertExit } from '../helpers/trace';

function line(s: Score, got: string): string {
  return `${s.marker.kind} ${s.marker.name} → ${got}`;
}

describe('source-linking corpus: trace --json --stacks gives each marked line its exact file:line', function () {
  this.timeout(120_000);
  before(function () {
    requireBpf(this);
  });

  for (const p of corpusPrograms()) {
    it(`${p.language} (${p.id})`, async () => {
      const { result, scores } = await runProgram(p);
      assertExit(result, 0);
      assert.equal(result.summary?.lost, 0, result.stderr);
      assert.ok(scores.length > 0, `${p.id} has marked lines`);
      assert.deepEqual(scores.map((s) => line(s, s.got)), scores.map((s) => line(s, s.want)),
        `each marked line's event source (left: got, right: the marked line)`);
      if (p.language === 'C++') {
        for (const s of scores.filter((x) => x.exact)) {
          const marked = s.event?.frames?.find((f) => f.file === s.marker.file && f.line === s.marker.line);
          assert.equal(marked?.inlined, true, `${s.marker.name}: the call sits in a function inlined into its caller: ${JSON.stringify(s.event?.frames)}`);
        }
      }
    });
  }
});
