// The event model against what it describes: its kernel kinds against enum lens_kind of
// bpf/linux/events.h (names and values, compiled as the layout test does), and the
// `runtimeLens.events` setting of package.json against its groups.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KIND_MAX } from '../../../remote-agent/src/decode/layout';
import {
  ALL_KINDS, COUNTED_KIND_OF_VALUE, DEFAULT_EVENT_GROUPS, EVENT_GROUPS, groupDescription, KIND_OF_VALUE, KINDS, RECORD_KINDS, type RecordKind,
} from '../../../remote-agent/src/model/event-model';

const root = path.resolve(__dirname, '../../..');
const header = path.join(root, 'bpf/linux/events.h');

/** The constant names of enum lens_kind, as written in events.h. */
function enumNames(): string[] {
  const body = /enum lens_kind \{([^}]*)\}/.exec(readFileSync(header, 'utf8'))?.[1];
  assert.ok(body, 'events.h has an enum lens_kind');
  return [...body.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/\b(LENS_\w+)\s*=/g)].map((m) => m[1]);
}

/** The values of these constants (and of the others named), compiled against events.h. */
function values(names: string[]): Record<string, number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lens-kinds-'));
  try {
    const lines = names.map((n) => `  printf("${n} %lld\\n", (long long)(${n}));`);
    writeFileSync(path.join(dir, 'kinds.c'), `#include <stdio.h>\n#include "${header}"\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`);
    execFileSync('gcc', ['-Wall', '-Werror', '-o', path.join(dir, 'kinds'), path.join(dir, 'kinds.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const out = execFileSync(path.join(dir, 'kinds'), { encoding: 'utf8' });
    return Object.fromEntries(out.trim().split('\n').map((l) => { const [k, v] = l.split(' '); return [k, Number(v)]; }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cName = (kind: string) => `LENS_${kind.toUpperCase()}`;

describe('event model', function () {
  describe('against enum lens_kind (bpf/linux/events.h)', function () {
    const kernelKinds = ALL_KINDS.filter((k) => KINDS[k].value !== null);
    let names: string[];
    let c: Record<string, number>;
    before(function () {
      this.timeout(30000);
      names = enumNames();
      c = values([...names, 'LENS_FSOP_FIRST', 'LENS_FSOP_LAST']);
    });

    const recordKinds = Object.keys(RECORD_KINDS) as RecordKind[];

    it('has one kind (an event kind or a record that is not an event) for each enum constant, named alike (LENS_TCP_CLOSE is tcp_close), and no other', function () {
      assert.deepEqual([...kernelKinds.map(cName), ...recordKinds.map(cName), 'LENS_KIND_MAX'].sort(), [...names].sort());
    });

    it('gives each kind the value of its enum constant, and the decoder the same LENS_KIND_MAX', function () {
      for (const k of kernelKinds) assert.equal(KINDS[k].value, c[cName(k)], `${k}: value of ${cName(k)}`);
      for (const k of recordKinds) assert.equal(RECORD_KINDS[k].value, c[cName(k)], `${k}: value of ${cName(k)}`);
      assert.equal(KIND_MAX, c.LENS_KIND_MAX, 'LENS_KIND_MAX');
      for (const k of kernelKinds) assert.equal(KIND_OF_VALUE[KINDS[k].value!], k);
      // losses are counted by the name of every kind, records that are not events included
      for (const k of [...kernelKinds, ...recordKinds]) assert.equal(COUNTED_KIND_OF_VALUE[(KINDS[k as keyof typeof KINDS] ?? RECORD_KINDS[k as RecordKind]).value!], k);
    });

    it('decodes exactly the kinds LENS_FSOP_FIRST..LENS_FSOP_LAST from struct lens_fsop_event', function () {
      const fsop = kernelKinds.filter((k) => KINDS[k].record === 'fsop').map((k) => KINDS[k].value!);
      const range = Array.from({ length: c.LENS_FSOP_LAST - c.LENS_FSOP_FIRST + 1 }, (_, i) => c.LENS_FSOP_FIRST + i);
      assert.deepEqual(fsop, range);
    });
  });

  it('is what package.json offers as the runtimeLens.events setting (edit package.json to match the table)', function () {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default: string[]; items: { enum: string[]; enumDescriptions: string[] } }> } };
    };
    const setting = pkg.contributes.configuration.properties['runtimeLens.events'];
    const expected = { default: [...DEFAULT_EVENT_GROUPS], enum: [...EVENT_GROUPS], enumDescriptions: EVENT_GROUPS.map(groupDescription) };
    assert.deepEqual({ default: setting.default, enum: setting.items.enum, enumDescriptions: setting.items.enumDescriptions }, expected,
      `package.json runtimeLens.events must be ${JSON.stringify(expected)}`);
  });
});
