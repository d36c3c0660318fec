// The decoder's offsets table must equal the C layout of bpf/linux/events.h:
// compile a tiny program that prints sizeof/offsetof of every field the
// decoder reads, every constant it relies on and the probe's stdin command
// words, and compare.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMMAND_CONSTANTS } from '../../../remote-agent/src/decode/commands';
import { CONSTANTS, LAYOUT } from '../../../remote-agent/src/decode/layout';

const header = path.resolve(__dirname, '../../../bpf/linux/events.h');

function compileAndRun(): Record<string, number | string> {
  const lines: string[] = [];
  for (const [struct, { fields }] of Object.entries(LAYOUT)) {
    lines.push(`  printf("${struct}.sizeof %zu\\n", sizeof(struct ${struct}));`);
    for (const field of Object.keys(fields)) {
      lines.push(`  printf("${struct}.${field} %zu\\n", offsetof(struct ${struct}, ${field}));`);
    }
  }
  for (const name of Object.keys(CONSTANTS)) lines.push(`  printf("${name} %lld\\n", (long long)(${name}));`);
  for (const [name, value] of Object.entries(COMMAND_CONSTANTS)) {
    lines.push(typeof value === 'string' ? `  printf("${name} \\"%s\\"\\n", ${name});` : `  printf("${name} %lld\\n", (long long)(${name}));`);
  }
  const source = `#include <stddef.h>\n#include <stdio.h>\n#include "${header}"\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`;
  const dir = mkdtempSync(path.join(tmpdir(), 'lens-layout-'));
  try {
    writeFileSync(path.join(dir, 'layout.c'), source);
    execFileSync('gcc', ['-Wall', '-Werror', '-o', path.join(dir, 'layout'), path.join(dir, 'layout.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const out = execFileSync(path.join(dir, 'layout'), { encoding: 'utf8' });
    return Object.fromEntries(out.trim().split('\n').map((l) => {
      const [k, v] = l.split(' ');
      return [k, v.startsWith('"') ? v.slice(1, -1) : Number(v)];
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('record layout (events.h vs decoder)', function () {
  let c: Record<string, number | string>;
  before(function () { this.timeout(30000); c = compileAndRun(); });

  for (const [struct, { size, fields }] of Object.entries(LAYOUT)) {
    it(`struct ${struct}: size and every decoded field offset`, function () {
      assert.equal(size, c[`${struct}.sizeof`], `sizeof(struct ${struct})`);
      for (const [field, offset] of Object.entries(fields)) {
        assert.equal(offset, c[`${struct}.${field}`], `offsetof(struct ${struct}, ${field})`);
      }
    });
  }

  it('constants and enum values', function () {
    for (const [name, value] of Object.entries(CONSTANTS)) assert.equal(value, c[name], name);
  });

  it('the probe\'s stdin command words and line length', function () {
    for (const [name, value] of Object.entries(COMMAND_CONSTANTS)) assert.equal(value, c[name], name);
  });
});
