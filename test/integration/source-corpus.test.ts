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

/* glibc's posix_spawn (Rust's Command) runs the exec in a child on a stack of its own (clone3 with
 * CLONE_VM|CLONE_VFORK): the stack copied at its execve holds that child's frames only, not the
 * program's (README, stacks). */
const SPAWN_CHILD = 'no source (no frame in the program\'s own code)';
const OWN_STACK_EXEC = new Set(['rust-child']);

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
      const accepted = (s: Score): string => (OWN_STACK_EXEC.has(s.marker.name) && s.got === SPAWN_CHILD ? s.want : s.got);
      assert.deepEqual(scores.map((s) => line(s, accepted(s))), scores.map((s) => line(s, s.want)),
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
