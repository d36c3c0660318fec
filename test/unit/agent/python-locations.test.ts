// The location table reader of attached-process Python frames (runtimes/python/attach/py-code.ts)
// against CPython itself: for every code object of a sample with short, one-line, multi-line and
// no-column entries, each instruction's line and column must be what the interpreter's own
// co_positions() says (line 0, a module's start, counts as no line), on each Python 3.11+ of this machine.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { locate, parseLocations, type CodeInfo } from '../../../remote-agent/src/runtimes/python/attach/py-code';

const PYENV = '/root/.pyenv/versions';

/** Debian's 3.11 and every pyenv 3.11+ here. */
function pythons(): string[] {
  const pyenv = existsSync(PYENV) ? readdirSync(PYENV).filter((v) => /^3\.(1[1-9])\./.test(v)).map((v) => path.join(PYENV, v, 'bin', 'python3')) : [];
  return ['/usr/bin/python3.11', ...pyenv].filter((p) => existsSync(p));
}

const SAMPLE = `
import os

def short(d):
    return open(os.path.join(d, "x"))

class Deep:
    def method(self, a, b):
        value = (a +
                 b) * [x for x in range(3) if x]
        if value:
            raise ValueError(f"{a} and {b} are not {value}" + "a long string that pushes the column well past one hundred and twenty-seven")
        return lambda: sum(
            i for i in range(
                value))

try:
    pass
finally:
    short(".")
`;

const DUMP = `
import json, sys
src = sys.stdin.read()
out = []
def walk(c):
    out.append({"table": c.co_linetable.hex(), "first": c.co_firstlineno, "name": c.co_qualname,
                "positions": [[p[0], p[2]] for p in c.co_positions()]})
    for k in c.co_consts:
        if hasattr(k, "co_code"):
            walk(k)
walk(compile(src, "sample.py", "exec"))
print(json.dumps(out))
`;

interface Dumped { table: string; first: number; name: string; positions: [number | null, number | null][] }

describe('Python location tables (attached-process frames)', function () {
  this.timeout(30_000);
  it('this machine has a Python 3.11+ to read tables of', () => {
    assert.ok(pythons().length > 0, 'no /usr/bin/python3.11: apt-get install -y python3');
  });

  for (const python of pythons()) {
    it(`${python}: every instruction's line and column are co_positions()'s`, () => {
      const codes = JSON.parse(execFileSync(python, ['-c', DUMP], { input: SAMPLE, encoding: 'utf8' })) as Dumped[];
      assert.ok(codes.length >= 6, 'the sample has its functions, lambda, comprehension and generator');
      let checked = 0;
      for (const c of codes) {
        const info: CodeInfo = { file: 'sample.py', function: c.name, codeStart: 0x1000, header: Buffer.alloc(0), ...parseLocations(Buffer.from(c.table, 'hex'), c.first) };
        c.positions.forEach(([line, col], unit) => {
          const want = !line ? undefined : col === null ? { line } : { line, column: col + 1 };
          assert.deepEqual(locate(info, 0x1000 + unit * 2), want, `${c.name}, code unit ${unit}`);
          checked++;
        });
        assert.equal(locate(info, 0x1000 + c.positions.length * 2), undefined, 'past the code: no line');
      }
      assert.ok(checked > 100);
    });
  }
});
