// `trace --stacks` on processes that are gone before their /proc/PID/maps could be read: the probe
// records each code mapping as exec, mmap or mprotect makes it, and lens-symbolize unwinds with
// those records. A C program that opens a file and exits at once gets its exact line; a Debian
// binary gets its frames and why they have no line; a dlopen'ed library's function appears; a
// library deleted while it runs is named and said to be deleted.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Frame, LensEvent } from '../../remote-agent/src/protocol';
import { requireBpf } from '../helpers/bpf';
import { marks, nativeFixture } from '../helpers/native-stacks';
import { assertExit, startCli, trace } from '../helpers/trace';

const NO_FP = ['-O2', '-g', '-fomit-frame-pointer'];

/** function:line of each frame whose file ends with `source`, innermost first. */
function linesIn(frames: Frame[] | undefined, source: string): string[] {
  return (frames ?? []).filter((f) => f.file?.endsWith(source)).map((f) => `${f.function}:${f.line}`);
}

function openOf(events: LensEvent[], p: string): LensEvent {
  const e = events.find((x) => x.kind === 'open' && x.path === p);
  assert.ok(e, `an open of ${p} among ${events.length} events`);
  return e;
}

describe('trace --stacks: processes that exit before their maps are read', function () {
  this.timeout(90_000);
  before(function () {
    requireBpf(this);
  });

  it('gives a C program (-O2 -g, no frame pointers) that opens a file and exits at once the exact line of the open', async function () {
    const bin = nativeFixture('stacks-short', 'c/stacks-short.c', 'gcc', NO_FP);
    const m = marks('c/stacks-short.c');
    const result = await trace([bin], ['--events', 'exec,file', '--stacks']);
    assertExit(result, 0);
    const open = openOf(result.events, '/lens-marker/short');
    assert.equal(open.stack_error, undefined, JSON.stringify(open));
    assert.deepEqual(linesIn(open.frames, 'fixtures/c/stacks-short.c'), [`open_marker:${m.open}`, `main:${m.main}`], JSON.stringify(open.frames));
    assert.deepEqual({ file: open.source?.file.endsWith('fixtures/c/stacks-short.c'), line: open.source?.line }, { file: true, line: m.open });
    // the dynamic loader's opens, made before libc was even mapped, are unwound too
    const cache = openOf(result.events, '/etc/ld.so.cache');
    assert.ok(cache.frames?.some((f) => f.module?.includes('ld-linux')), JSON.stringify(cache));
    assert.equal(result.summary?.lost, 0, result.stderr);
  });

  it('gives a forked child that exits at once the exact line too: it starts with its parent\'s mappings', async function () {
    const bin = nativeFixture('stacks-short', 'c/stacks-short.c', 'gcc', NO_FP);
    const m = marks('c/stacks-short.c');
    const result = await trace([bin, 'fork'], ['--stacks']);
    assertExit(result, 0);
    const open = openOf(result.events, '/lens-marker/short');
    const parent = result.events.find((e) => e.kind === 'exec')!.pid;
    assert.notEqual(open.pid, parent, 'the child made the open');
    assert.deepEqual(linesIn(open.frames, 'fixtures/c/stacks-short.c'), [`open_marker:${m.open}`, `main:${m.main}`], JSON.stringify(open));
  });

  it('gives the exec of a vfork child and of a posix_spawn child the line that started it (posix_spawn\'s, from its parent\'s stack)', async function () {
    const bin = nativeFixture('stacks-spawn', 'c/stacks-spawn.c', 'gcc', NO_FP);
    const m = marks('c/stacks-spawn.c');
    const result = await trace([bin], ['--events', 'exec', '--stacks']);
    assertExit(result, 0);
    const execOf = (arg: string) => result.events.find((e) => e.kind === 'exec' && e.argv[1] === arg);
    for (const [arg, fn, line] of [['vfork-child', 'by_vfork', m['vfork-exec']], ['spawn-child', 'by_spawn', m.spawn]] as const) {
      const e = execOf(arg);
      assert.deepEqual({ fn: e?.source?.function, line: e?.source?.line }, { fn, line }, JSON.stringify(e));
    }
  });

  it('gives a Debian binary (cat) its native frames: the C library\'s functions, and why its own have no line', async function () {
    const result = await trace(['/bin/cat', '/lens-marker/cat'], ['--events', 'file', '--stacks']);
    assertExit(result, 1);
    const open = openOf(result.events, '/lens-marker/cat');
    assert.equal(open.stack_error, undefined, JSON.stringify(open));
    const frames = open.frames ?? [];
    assert.match(frames[0]?.module ?? '', /libc\.so/, JSON.stringify(frames));
    assert.match(frames[0]?.function ?? '', /open/, 'the C library\'s open wrapper is named from its symbols');
    const own = frames.filter((f) => f.module === '/usr/bin/cat');
    assert.ok(own.length > 0, JSON.stringify(frames));
    for (const f of own) assert.deepEqual({ line: f.line, reason: f.reason }, { line: undefined, reason: 'stripped' }, JSON.stringify(f));
    assert.ok(frames.some((f) => f.function === '__libc_start_call_main'), 'the walk goes on through cat to the C library\'s start');
  });

  it('gives a function of a library loaded with dlopen by a process that then exits its exact line', async function () {
    const lib = nativeFixture('stacks-plugin.so', 'c/stacks-plugin.c', 'gcc', ['-O2', '-g', '-shared', '-fPIC']);
    const bin = nativeFixture('stacks-dlopen', 'c/stacks-dlopen.c', 'gcc', NO_FP);
    const m = { ...marks('c/stacks-dlopen.c'), ...marks('c/stacks-plugin.c') };
    const result = await trace([bin, lib], ['--events', 'file', '--stacks']);
    assertExit(result, 0);
    const open = openOf(result.events, '/lens-marker/plugin');
    assert.deepEqual([...linesIn(open.frames, 'fixtures/c/stacks-plugin.c'), ...linesIn(open.frames, 'fixtures/c/stacks-dlopen.c')],
      [`plugin_open:${m['plugin-open']}`, `main:${m['call-plugin']}`], JSON.stringify(open.frames));
  });

  it('names a library deleted while the process runs, and says its frames have no line because it was deleted', async function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'lens-deleted-'));
    try {
      const copy = path.join(dir, 'plugin-copy.so');
      copyFileSync(nativeFixture('stacks-plugin.so', 'c/stacks-plugin.c', 'gcc', ['-O2', '-g', '-shared', '-fPIC']), copy);
      const bin = nativeFixture('stacks-unlink', 'c/stacks-unlink.c', 'gcc', NO_FP);
      const result = await trace([bin, copy], ['--events', 'file', '--stacks']);
      assertExit(result, 0);
      const open = openOf(result.events, '/lens-marker/plugin');
      assert.match(open.frames?.[0]?.module ?? '', /libc\.so/, JSON.stringify(open.frames));
      const gone = open.frames?.find((f) => f.module?.startsWith(copy));
      assert.deepEqual(gone && { module: gone.module, reason: gone.reason, line: gone.line }, { module: `${copy} (deleted)`, reason: 'deleted binary', line: undefined }, JSON.stringify(open.frames));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a program deleted while it runs through /proc/PID/exe as long as it lives: its lines stay exact', async function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'lens-deleted-'));
    try {
      const copy = path.join(dir, 'self-deleting');
      copyFileSync(nativeFixture('stacks-unlink', 'c/stacks-unlink.c', 'gcc', NO_FP), copy);
      const m = marks('c/stacks-unlink.c');
      const run = startCli(['trace', '--json', '--events', 'file', '--stacks', '--', copy, '--self']);
      const open = await run.waitForEvent('the open of /lens-marker/self', (e) => e.kind === 'open' && e.path === '/lens-marker/self');
      process.kill(open.pid, 'SIGTERM');
      await run.done;
      assert.deepEqual(linesIn(open.frames, 'fixtures/c/stacks-unlink.c'), [`open_self_marker:${m['self-open']}`, `delete_self:${m['self-call']}`], JSON.stringify(open.frames));
      assert.equal(open.frames?.find((f) => f.function === 'open_self_marker')?.module, copy);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
