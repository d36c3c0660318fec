// Native source linking without frame pointers: real C, C++ and Go programs
// stopped at the openat of a marked line (stack-snapshot takes the registers
// and 8 KiB of stack the probe's kernel side will copy), unwound and
// symbolized by lens-symbolize: the exact file:line of the marked line and of
// each caller, inlined calls expanded, and the reason where a line cannot be known.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Symbolizer } from '../../remote-agent/src/symbolize/client';
import { stackFromAnswer, type NativeFrame, type NativeStack } from '../../remote-agent/src/symbolize/frames';
import { locateSymbolizer } from '../../remote-agent/src/symbolize/locate';
import { AS_NOBODY } from '../helpers/cap-probe';
import { derive, marks, nativeFixture, SnapshotRun, type Snapshot } from '../helpers/native-stacks';
import { CORPUS, markersOf } from '../helpers/corpus';
import { scratchDir } from '../helpers/fixtures';

const C_FLAGS = ['-O2', '-g', '-fomit-frame-pointer'];
const C_MARKS = marks('c/stacks.c');

let startKey = 1n;

/** Unwinds a snapshot as a process seen for the first time (a fresh cache key). */
async function symbolize(sym: Symbolizer, s: Snapshot, start = startKey++): Promise<NativeStack> {
  const sp = s.regs.sp ?? 0n;
  return stackFromAnswer(await sym.unwind({ pid: s.pid, tid: s.tid, start, gen: 0, regs: s.regs, stackAddr: sp, stack: s.stack }));
}

/** Stops `argv` at its first marker open and symbolizes that stack; the fixture then runs to its end. */
async function stackOf(sym: Symbolizer, argv: string[]): Promise<NativeStack> {
  const run = new SnapshotRun(argv);
  try {
    const stack = await symbolize(sym, await run.snapshot());
    assert.equal(await run.finish(), 0);
    return stack;
  } finally {
    run.kill();
  }
}

/** "function:line" of the frames in `file`, innermost first. */
function linesIn(stack: NativeStack, file: string): string[] {
  return stack.frames.filter((f) => f.file?.endsWith(file)).map((f) => `${f.function}:${f.line}${f.inlined ? ' (inlined)' : ''}`);
}

function inModule(stack: NativeStack, binary: string): NativeFrame[] {
  return stack.frames.filter((f) => f.module.startsWith(binary));
}

function buildId(binary: string): string {
  const m = /Build ID: ([0-9a-f]+)/.exec(execFileSync('readelf', ['-n', binary], { encoding: 'utf8' }));
  assert.ok(m, `${binary} has no build-id note`);
  return m[1];
}

describe('native stacks: unwinding and symbolization (lens-symbolize)', function () {
  this.timeout(60_000);
  let sym: Symbolizer;
  before(() => {
    sym = new Symbolizer({ binary: locateSymbolizer() });
  });
  after(() => sym.close());

  it('C built -O2 -g without frame pointers: the openat line and every caller, exact', async () => {
    const bin = nativeFixture('stacks-c', 'c/stacks.c', 'gcc', C_FLAGS);
    const stack = await stackOf(sym, [bin, 'deep']);
    assert.match(stack.frames[0].function ?? '', /openat/, 'the innermost frame is the libc wrapper that made the call');
    assert.match(stack.frames[0].module, /libc\.so/);
    assert.deepEqual(linesIn(stack, 'fixtures/c/stacks.c'), [
      `open_marker:${C_MARKS.open}`,
      `load_config:${C_MARKS['call-open']}`,
      `load_config:${C_MARKS.recurse}`, `load_config:${C_MARKS.recurse}`, `load_config:${C_MARKS.recurse}`,
      `main:${C_MARKS.main}`,
    ]);
    assert.equal(stack.frames.at(-1)?.function, '_start', 'the walk reaches the program entry');
    assert.equal(stack.frames_truncated, false);
    const marked = stack.frames.find((f) => f.line === C_MARKS.open);
    assert.ok(marked?.column, 'the marked frame has a column');
  });

  it('C++ with inlining: the inlined calls appear as frames at their call sites', async () => {
    const bin = nativeFixture('stacks-cpp', 'c/stacks.cpp', 'g++', ['-O2', '-g']);
    const m = marks('c/stacks.cpp');
    const stack = await stackOf(sym, [bin]);
    assert.deepEqual(linesIn(stack, 'fixtures/c/stacks.cpp'), [
      `store::open_path(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&):${m['cpp-open']} (inlined)`,
      `store::Cache::fetch(char const*) const:${m['cpp-fetch']} (inlined)`,
      `warm:${m['cpp-warm']}`,
      `main:${m['cpp-main']}`,
    ]);
  });

  it('Go built by go build: the os.Open line and its callers, exact', async () => {
    const bin = nativeFixture('stacks-go', 'go/stacks.go', 'go');
    const m = marks('go/stacks.go');
    const stack = await stackOf(sym, [bin]);
    assert.deepEqual(linesIn(stack, 'fixtures/go/stacks.go'), [
      `main.openMarker:${m['go-open']}`,
      `main.loadConfig:${m['go-call']}`,
      `main.main:${m['go-main']}`,
    ]);
  });

  it('Rust built by rustc -g: its lines under absolute paths (DWARF names them relative to the unit\'s directory), legacy names decoded', async () => {
    const bin = nativeFixture('corpus-rust', 'corpus/rust/corpus.rs', 'rustc', ['-C', 'opt-level=2', '-g']);
    const source = path.join(CORPUS, 'rust', 'corpus.rs');
    const open = markersOf(source).find((m) => m.name === 'rust-config')!;
    const dir = scratchDir('rust-stack');
    const run = new SnapshotRun([bin, dir], `${dir}/`);
    try {
      const stack = await symbolize(sym, await run.snapshot());
      assert.equal(await run.finish(), 0);
      const own = stack.frames.find((f) => f.file === source);
      assert.deepEqual(own && [own.function, own.line, own.column], ['corpus::Store::load', open.line, open.column], JSON.stringify(stack.frames));
      const lined = inModule(stack, bin).filter((f) => f.file);
      assert.ok(lined.every((f) => f.file!.startsWith('/')), `every file is absolute: ${lined.map((f) => f.file).join(' ')}`);
      assert.ok(lined.some((f) => f.file!.startsWith('/rustc/')), 'the standard library\'s frames keep the paths rustc gave them');
      const names = inModule(stack, bin).map((f) => f.function ?? '');
      assert.ok(names.some((n) => n.includes('{{closure}}')) && !names.some((n) => /\$u7b\$|\$LT\$|\.\./.test(n)), `names read as written: ${names.join(' | ')}`);
    } finally {
      run.kill();
    }
  });

  it('code outside every unit of the binary (crt1\'s _start) has no line, whichever unit is placed before it', async () => {
    // g++ -O2 puts main in .text.startup right before _start: libdwfl answers _start's address with main's unit
    const bin = nativeFixture('corpus-cpp', 'corpus/cpp/corpus.cpp', 'g++', ['-O2', '-g']);
    const dir = scratchDir('cpp-start');
    const run = new SnapshotRun([bin, dir], `${dir}/`);
    try {
      const stack = await symbolize(sym, await run.snapshot());
      assert.equal(await run.finish(), 0);
      const start = stack.frames.at(-1);
      assert.deepEqual([start?.function, start?.file, start?.line, start?.reason], ['_start', undefined, undefined, 'no debug info for this code (built without -g)'], JSON.stringify(stack.frames));
    } finally {
      run.kill();
    }
  });

  it('a call on a second thread: its own stack, down to the thread start', async () => {
    const bin = nativeFixture('stacks-thread', 'c/stacks-thread.c', 'gcc', ['-O2', '-g', '-pthread']);
    const run = new SnapshotRun([bin]);
    try {
      const snap = await run.snapshot();
      assert.notEqual(snap.tid, snap.pid, 'the snapshot is of the second thread');
      const stack = await symbolize(sym, snap);
      assert.deepEqual(linesIn(stack, 'fixtures/c/stacks-thread.c'), [`worker:${marks('c/stacks-thread.c')['thread-open']}`]);
      assert.match(stack.frames.at(-1)?.function ?? '', /clone/, 'the walk ends at the thread start in libc');
      assert.equal(stack.frames_truncated, false);
      assert.equal(await run.finish(), 0);
    } finally {
      run.kill();
    }
  });

  it('stacks deeper than the snapshot or than 128 frames: the frames that fit, and why the rest are missing', async () => {
    const bin = nativeFixture('stacks-deep', 'c/stacks-deep.c', 'gcc', ['-O2', '-g']);
    const m = marks('c/stacks-deep.c');
    const big = await stackOf(sym, [bin, '20', 'big']);
    assert.equal(big.frames_truncated, true);
    assert.equal(big.frames_truncated_reason, 'the stack snapshot ended before the outermost frame');
    const bigLines = linesIn(big, 'fixtures/c/stacks-deep.c');
    assert.ok(bigLines.length >= 5 && bigLines.length < 9, `8 KiB holds a few frames of over 1 KiB: ${bigLines.length}`);
    assert.ok(bigLines.every((l) => l === `big:${m.big}`));
    const small = await stackOf(sym, [bin, '300', 'small']);
    assert.equal(small.frames.length, 128);
    assert.equal(small.frames_truncated_reason, 'more frames than the helper reports (128)');
    assert.ok(linesIn(small, 'fixtures/c/stacks-deep.c').every((l) => l === `small:${m.small}`));
  });

  it('a binary built without -g: functions from its symbol table, each frame saying "no debug info"', async () => {
    const bin = nativeFixture('stacks-c-nodebug', 'c/stacks.c', 'gcc', ['-O2', '-fomit-frame-pointer']);
    const frames = inModule(await stackOf(sym, [bin]), bin);
    // gcc's clones keep their suffix in the symbol table (open_marker.constprop.0)
    assert.deepEqual(frames.map((f) => [f.function?.replace(/\.constprop\.\d+$/, ''), f.line, f.reason]), [
      ['open_marker', undefined, 'no debug info'],
      ['load_config', undefined, 'no debug info'],
      ['load_config', undefined, 'no debug info'],
      ['main', undefined, 'no debug info'],
      ['_start', undefined, 'no debug info'],
    ]);
  });

  it('a stripped copy: still unwound through (CFI survives strip), each frame saying "stripped"', async () => {
    const bin = derive('stacks-c-stripped', nativeFixture('stacks-c', 'c/stacks.c', 'gcc', C_FLAGS), 'strip', (from, to) => ['-o', to, from]);
    const stack = await stackOf(sym, [bin]);
    const frames = inModule(stack, bin);
    assert.equal(frames.length, 5, 'open_marker, load_config twice, main, _start');
    for (const f of frames) assert.equal(f.reason, 'stripped');
    assert.equal(stack.frames_truncated, false);
  });

  it('separate debug files: found by .gnu_debuglink beside the binary and by build-id under the debuginfo path', async () => {
    const full = nativeFixture('stacks-c', 'c/stacks.c', 'gcc', C_FLAGS);
    const dir = scratchDir('debuginfo');
    const debug = path.join(dir, 'stacks.debug');
    execFileSync('objcopy', ['--only-keep-debug', full, debug]);
    const linked = path.join(dir, 'stacks-linked');
    execFileSync('objcopy', ['--strip-debug', '--strip-unneeded', `--add-gnu-debuglink=${debug}`, full, linked], { cwd: dir });
    const want = [`open_marker:${C_MARKS.open}`, `load_config:${C_MARKS['call-open']}`, `load_config:${C_MARKS.recurse}`, `main:${C_MARKS.main}`];
    assert.deepEqual(linesIn(await stackOf(sym, [linked]), 'fixtures/c/stacks.c'), want);

    const id = buildId(full);
    const store = path.join(dir, 'store');
    mkdirSync(path.join(store, '.build-id', id.slice(0, 2)), { recursive: true });
    copyFileSync(debug, path.join(store, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`));
    const stripped = path.join(dir, 'stacks-stripped');
    execFileSync('strip', ['-o', stripped, full]);
    const byId = new Symbolizer({ binary: locateSymbolizer(), args: ['--debuginfo-path', store] });
    try {
      assert.deepEqual(linesIn(await stackOf(byId, [stripped]), 'fixtures/c/stacks.c'), want);
    } finally {
      byId.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a deleted executable: read back through /proc/PID/exe, lines still exact', async () => {
    const dir = scratchDir('deleted');
    const bin = path.join(dir, 'stacks');
    copyFileSync(nativeFixture('stacks-c', 'c/stacks.c', 'gcc', C_FLAGS), bin);
    const run = new SnapshotRun([bin]);
    try {
      const snap = await run.snapshot();
      unlinkSync(bin);
      const stack = await symbolize(sym, snap);
      assert.ok(inModule(stack, `${bin} (deleted)`).length > 0, 'the module is named as the maps name it');
      assert.deepEqual(linesIn(stack, 'fixtures/c/stacks.c').slice(0, 2), [`open_marker:${C_MARKS.open}`, `load_config:${C_MARKS['call-open']}`]);
      assert.equal(await run.finish(), 0);
    } finally {
      run.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('per-process mappings: two processes through one cached slot, a new generation and a forgotten process are read again', async () => {
    const one = new Symbolizer({ binary: locateSymbolizer(), args: ['--max-processes', '1'] });
    const c = new SnapshotRun([nativeFixture('stacks-c', 'c/stacks.c', 'gcc', C_FLAGS)]);
    const cpp = new SnapshotRun([nativeFixture('stacks-cpp', 'c/stacks.cpp', 'g++', ['-O2', '-g'])]);
    try {
      const snaps = [await c.snapshot(), await cpp.snapshot()];
      const files = ['fixtures/c/stacks.c', 'fixtures/c/stacks.cpp'];
      const ask = async (i: number, gen: number) => {
        const s = snaps[i];
        return stackFromAnswer(await one.unwind({ pid: s.pid, tid: s.tid, start: BigInt(s.pid), gen, regs: s.regs, stackAddr: s.regs.sp!, stack: s.stack }));
      };
      for (const [i, gen] of [[0, 0], [1, 0], [0, 0], [0, 1], [1, 5]]) {
        assert.ok(linesIn(await ask(i, gen), files[i]).length >= 3, `process ${i} generation ${gen}`);
      }
      await one.forget(snaps[1].pid, BigInt(snaps[1].pid));
      assert.ok(linesIn(await ask(1, 5), files[1]).length >= 3, 'a forgotten process is read again when asked about');
      assert.equal(await c.finish(), 0);
      assert.equal(await cpp.finish(), 0);
    } finally {
      one.close();
      c.kill();
      cpp.kill();
    }
  });

  it('a forgotten process leaves its slot empty: the processes after it are unwound as before (none moved under its libdwfl session)', async () => {
    const c = new SnapshotRun([nativeFixture('stacks-c', 'c/stacks.c', 'gcc', C_FLAGS)]);
    const cpp = new SnapshotRun([nativeFixture('stacks-cpp', 'c/stacks.cpp', 'g++', ['-O2', '-g'])]);
    try {
      const snaps = [await c.snapshot(), await cpp.snapshot()];
      const start = [startKey++, startKey++];
      const ask = async (i: number) => symbolize(sym, snaps[i], start[i]);
      assert.ok(linesIn(await ask(0), 'fixtures/c/stacks.c').length >= 3);
      assert.ok(linesIn(await ask(1), 'fixtures/c/stacks.cpp').length >= 3);
      await sym.forget(snaps[0].pid, start[0]);
      assert.ok(linesIn(await ask(1), 'fixtures/c/stacks.cpp').length >= 3, 'the process seen after the forgotten one');
      assert.ok(linesIn(await ask(0), 'fixtures/c/stacks.c').length >= 3, 'the forgotten process, read again');
      assert.equal(await c.finish(), 0);
      assert.equal(await cpp.finish(), 0);
    } finally {
      c.kill();
      cpp.kill();
    }
  });

  it('code mapped after the process was first seen (dlopen): unknown in the same mappings generation, exact in the next', async () => {
    const lib = nativeFixture('stacks-plugin.so', 'c/stacks-plugin.c', 'gcc', ['-O2', '-g', '-shared', '-fPIC']);
    const run = new SnapshotRun([nativeFixture('stacks-dlopen', 'c/stacks-dlopen.c', 'gcc', ['-O2', '-g']), lib]);
    const m = { ...marks('c/stacks-dlopen.c'), ...marks('c/stacks-plugin.c') };
    const start = startKey++;
    try {
      assert.deepEqual(linesIn(await symbolize(sym, await run.snapshot(), start), 'fixtures/c/stacks-dlopen.c'), [`main:${m.before}`]);
      run.resume();
      const inPlugin = await run.snapshot();
      const stale = await symbolize(sym, inPlugin, start);
      assert.equal(stale.frames[1]?.reason, 'not in a mapped file (JIT or anonymous memory)', 'the library was not mapped when the maps were read');
      assert.equal(stale.frames_truncated, true);
      const fresh = await sym.unwind({ pid: inPlugin.pid, tid: inPlugin.tid, start, gen: 1, regs: inPlugin.regs, stackAddr: inPlugin.regs.sp!, stack: inPlugin.stack });
      const stack = stackFromAnswer(fresh);
      assert.deepEqual([...linesIn(stack, 'fixtures/c/stacks-plugin.c'), ...linesIn(stack, 'fixtures/c/stacks-dlopen.c')], [`plugin_open:${m['plugin-open']}`, `main:${m['call-plugin']}`]);
      assert.equal(await run.finish(), 0);
    } finally {
      run.kill();
    }
  });

  it('run as an unprivileged user: its own process exact, another user\'s refused saying why', async () => {
    // copies nobody can run wherever the repository is
    const dir = mkdtempSync(path.join(tmpdir(), 'lens-symbolize-'));
    chmodSync(dir, 0o755);
    const helper = path.join(dir, 'lens-symbolize');
    const fixture = path.join(dir, 'stacks');
    copyFileSync(locateSymbolizer(), helper);
    copyFileSync(nativeFixture('stacks-c', 'c/stacks.c', 'gcc', C_FLAGS), fixture);
    chmodSync(helper, 0o755);
    chmodSync(fixture, 0o755);
    const asNobody = new Symbolizer({ binary: AS_NOBODY[0], args: [...AS_NOBODY.slice(1), helper] });
    const mine = new SnapshotRun([...AS_NOBODY, fixture]);
    const roots = new SnapshotRun([fixture]);
    try {
      const own = await symbolize(asNobody, await mine.snapshot());
      assert.deepEqual(linesIn(own, 'fixtures/c/stacks.c')[0], `open_marker:${C_MARKS.open}`);
      assert.deepEqual(await symbolize(asNobody, await roots.snapshot()), {
        frames: [], frames_truncated: true,
        frames_truncated_reason: 'maps not readable: the process belongs to another user (run the agent as that user or as root)',
      });
      assert.equal(await mine.finish(), 0);
      assert.equal(await roots.finish(), 0);
    } finally {
      asNobody.close();
      mine.kill();
      roots.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a process that exited before its maps were read: an answer saying so, no frames', async () => {
    const run = new SnapshotRun([nativeFixture('stacks-c', 'c/stacks.c', 'gcc', C_FLAGS)]);
    const snap = await run.snapshot();
    assert.equal(await run.finish(), 0);
    assert.deepEqual(await symbolize(sym, snap), { frames: [], frames_truncated: true, frames_truncated_reason: 'process exited before its maps were read' });
  });

  it('garbage registers and stack: an answer with what could be known, and the helper goes on', async () => {
    const run = new SnapshotRun([nativeFixture('stacks-c', 'c/stacks.c', 'gcc', C_FLAGS)]);
    try {
      const snap = await run.snapshot();
      const start = startKey++;
      const junk = Buffer.alloc(8192);
      for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
      const cases = [
        { regs: {}, stack: Buffer.alloc(0) },
        { regs: { ip: 0xdeadbeefn, sp: 0x10n }, stack: junk },
        { regs: { ...snap.regs, sp: snap.regs.sp! + 24n }, stack: junk },
        { regs: { ...snap.regs, ip: snap.regs.ip! + 1n }, stack: junk.subarray(0, 100) },
      ];
      for (const c of cases) {
        const stack = await symbolize(sym, { pid: snap.pid, tid: snap.tid, regs: c.regs, stack: c.stack }, start);
        assert.equal(stack.frames_truncated, true, `a garbage stack is reported as cut short: ${JSON.stringify(stack)}`);
        assert.ok(stack.frames_truncated_reason);
      }
      const good = await symbolize(sym, snap, start);
      assert.deepEqual(linesIn(good, 'fixtures/c/stacks.c')[0], `open_marker:${C_MARKS.open}`, 'the real snapshot still symbolizes after the garbage');
      assert.equal(await run.finish(), 0);
    } finally {
      run.kill();
    }
  });
});
