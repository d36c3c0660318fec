// JIT frames: a Node program whose hot code V8 compiles, attached with
// `trace --stacks --pid` (no preload, so no JS frames from it), opens a file
// from that code. Its native stack goes through V8's JIT code, in anonymous
// executable memory: those frames say "JIT without a map", or carry the JS
// function's name when node writes a perf map (--perf-basic-prof). The perf map
// is the traced program's file: lens-symbolize reads garbage, a symlink and a
// file of another user without harm, and rereads one that grew.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Frame, LensEvent } from '../../remote-agent/src/protocol';
import { Symbolizer } from '../../remote-agent/src/symbolize/client';
import { locateSymbolizer } from '../../remote-agent/src/symbolize/locate';
import type { Answer } from '../../remote-agent/src/symbolize/wire';
import { requireBpf } from '../helpers/bpf';
import { scratchDir } from '../helpers/fixtures';
import { waitFor } from '../helpers/procs';
import { startCli } from '../helpers/trace';

const NO_MAP = 'JIT without a map';
const MAPPED = 'JIT code: the perf map names the function, not the line';

/** A loop hot enough for V8 to compile cycle(); one call in 20000 opens `file`. */
function hotProgram(file: string): string {
  return `const fs = require('fs');
function readConfig(i) { if (i % 20000 === 0) fs.closeSync(fs.openSync(${JSON.stringify(file)}, 'w')); return i & 7; }
function cycle(n) { let s = 0; for (let i = 0; i < n; i++) s += readConfig(i); return s; }
setInterval(() => cycle(100000), 50);`;
}

function jitFrames(e: LensEvent): Frame[] {
  return (e.frames ?? []).filter((f) => f.reason === NO_MAP || f.reason === MAPPED);
}

/** Attaches to a running `node [flags] -e hotProgram` and returns its first open whose stack went through JIT code. */
async function openThroughJit(flags: string[], label: string): Promise<LensEvent> {
  const dir = scratchDir(label);
  const file = path.join(dir, 'config.txt');
  // cwd: the V8 log --perf-basic-prof also writes
  const target = spawn(process.execPath, [...flags, '-e', hotProgram(file)], { stdio: 'ignore', cwd: dir });
  try {
    const run = startCli(['trace', '--json', '--stacks', '--events', 'file', '--pid', String(target.pid)]);
    const e = await run.waitForEvent('an open whose frames go through JIT code', (x) => x.kind === 'open' && x.path === file && jitFrames(x).length > 0, 60_000);
    assert.equal(e.frames?.[0].function?.includes('open'), true, `the innermost frame is libc's open: ${JSON.stringify(e.frames?.[0])}`);
    assert.ok(e.frames?.some((f) => f.function === 'Builtins_JSEntry'), 'the walk goes on past the JIT frames to V8\'s entry');
    await run.finish();
    return e;
  } finally {
    target.kill('SIGKILL');
    rmSync(`/tmp/perf-${target.pid}.map`, { force: true });
  }
}

describe('trace --stacks --pid: frames in JIT code', function () {
  this.timeout(120_000);
  before(function () {
    requireBpf(this);
  });

  it('node without a perf map: the JIT frames arrive, each saying "JIT without a map"', async () => {
    const e = await openThroughJit([], 'jit-nomap');
    for (const f of jitFrames(e)) assert.deepEqual({ function: f.function, reason: f.reason }, { function: undefined, reason: NO_MAP });
  });

  it('node --perf-basic-prof: the JIT frames carry the JS function\'s name from /tmp/perf-PID.map', async () => {
    const e = await openThroughJit(['--perf-basic-prof'], 'jit-map');
    const named = jitFrames(e).filter((f) => f.reason === MAPPED);
    assert.ok(named.some((f) => /^JS:\S*(cycle|readConfig) \[eval\]/.test(f.function ?? '')), `a frame names cycle or readConfig: ${JSON.stringify(jitFrames(e))}`);
  });
});

describe('lens-symbolize: a perf map is untrusted input', function () {
  this.timeout(60_000);
  let target: ChildProcess;
  let sym: Symbolizer;
  let mapFile: string;

  before(() => {
    target = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    sym = new Symbolizer({ binary: locateSymbolizer() });
    mapFile = `/tmp/perf-${target.pid}.map`;
  });
  after(() => {
    sym.close();
    target.kill('SIGKILL');
    rmSync(mapFile, { force: true });
  });

  let fresh = 1n;
  /** The innermost frame at pc in the target; a fresh process key (nothing cached from before) unless one is given. */
  async function frameAt(pc: bigint, start = fresh++): Promise<Answer['frames'][number]> {
    const a = await sym.unwind({ pid: target.pid!, tid: target.pid!, start, gen: 0, regs: { ip: pc, sp: 0x1000n, bp: 0n }, stackAddr: 0x1000n, stack: Buffer.alloc(0) });
    assert.equal(a.error, '', 'an answer about the live process');
    return a.frames[0];
  }

  it('garbage, a symlink, another user\'s file: the frame still says where it is; a valid map names it, and is reread when it grows', async () => {
    // V8 reserves its code space at start: anonymous and executable
    const anon = await waitForAnonCode(target.pid!);
    const jitPc = anon + 0x40n;
    const hex = jitPc.toString(16);
    assert.equal((await frameAt(jitPc)).reason, NO_MAP, 'no map yet');

    let x = 7;
    const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
    const garbage = [
      ...Array.from({ length: 30 }, () => Buffer.from(Array.from({ length: next() % 4000 }, () => next() & 0xff))),
      Buffer.from(`${hex}\n${hex} \n${hex} 0 zero\n${hex} ffffffffffffffff wraps\n${'f'.repeat(40)} 10 long\n${hex}  10 two-spaces\n0x 10 no-digits\n`),
      Buffer.from(`${(jitPc - 0x10n).toString(16)} 20 ${'n'.repeat(100_000)}`),
      Buffer.from(`${(jitPc - 0x10n).toString(16)} 20 tab\there\r\n`),
    ];
    for (const g of garbage) {
      writeFileSync(mapFile, g);
      const f = await frameAt(jitPc);
      assert.ok(f.reason === NO_MAP || (f.reason === MAPPED && f.function.length > 0 && f.function.length <= 512), `a garbage map: ${f.reason} ${f.function.slice(0, 200)}`);
    }

    writeFileSync(mapFile, `garbage line\n${(jitPc - 0x10n).toString(16)} 100 JS:*first [eval]:1:1\n`);
    assert.deepEqual(pick(await frameAt(jitPc, 0n)), { function: 'JS:*first [eval]:1:1', reason: MAPPED });
    // the same process after the map grew: the later entry over the same code wins
    writeFileSync(mapFile, `${readFileSync(mapFile, 'utf8')}0x${(jitPc - 0x8n).toString(16)} 0x10 JS:*second [eval]:2:1\n`);
    assert.deepEqual(pick(await frameAt(jitPc, 0n)), { function: 'JS:*second [eval]:2:1', reason: MAPPED });

    // a symlink is not followed; a file of another user is not read
    const elsewhere = path.join(scratchDir('jit-map'), 'target.map');
    writeFileSync(elsewhere, `${hex} 10 JS:*symlinked\n`);
    rmSync(mapFile);
    symlinkSync(elsewhere, mapFile);
    assert.equal((await frameAt(jitPc)).reason, NO_MAP, 'a symlinked map is not read');
    rmSync(mapFile);
    writeFileSync(mapFile, `${hex} 10 JS:*foreign\n`);
    chownSync(mapFile, 65534, 65534);
    assert.equal((await frameAt(jitPc)).reason, NO_MAP, 'a map owned by another user is not read');
  });
});

function pick(f: { function: string; reason: string }): { function: string; reason: string } {
  return { function: f.function, reason: f.reason };
}

/** The start of the process's first anonymous executable mapping (V8's code space). */
async function waitForAnonCode(pid: number): Promise<bigint> {
  return waitFor('an anonymous executable mapping in node', () => {
    const line = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').find((l) => /^\S+ ..x. 00000000 00:00 0\s*$/.test(l));
    return line ? BigInt('0x' + line.split('-')[0]) : undefined;
  }, 10_000);
}
