// lens-symbolize against bad input: random bytes, well-framed requests with
// random contents, and unwind requests whose registers point into a live
// process's real code with mutated stacks. Every request gets an answer that
// decodes, the helper never dies of a signal and ends when its input ends.
// Seeded, so a failure reproduces.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Symbolizer } from '../../remote-agent/src/symbolize/client';
import { stackFromAnswer } from '../../remote-agent/src/symbolize/frames';
import { locateSymbolizer } from '../../remote-agent/src/symbolize/locate';
import { AnswerSplitter, decodeAnswer, DWARF_REGS, REQ_HEADER_BYTES, type Answer, type UserRegs } from '../../remote-agent/src/symbolize/wire';
import { marks, nativeFixture, SnapshotRun } from '../helpers/native-stacks';

/** xorshift32: the same sequence for the same seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

function randomBytes(next: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = next() & 0xff;
  return b;
}

/** Feeds `input` to a fresh helper; its exit and the answers it wrote. */
function feed(input: Buffer): Promise<{ code: number | null; signal: NodeJS.Signals | null; answers: Answer[] }> {
  const child = spawn(locateSymbolizer(), [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const splitter = new AnswerSplitter();
  const answers: Answer[] = [];
  child.stdout.on('data', (c: Buffer) => { for (const body of splitter.push(c)) answers.push(decodeAnswer(body)); });
  child.stdin.on('error', () => { /* the helper may stop reading a broken stream */ });
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, answers })));
}

function frame(body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length);
  return Buffer.concat([head, body]);
}

describe('lens-symbolize against bad input', function () {
  this.timeout(120_000);

  it('random bytes: at most one "stream broken" answer, then it exits without a crash', async () => {
    const next = rng(1);
    for (let round = 0; round < 40; round++) {
      const { code, signal, answers } = await feed(randomBytes(next, 1 + (next() % 3000)));
      assert.equal(signal, null, `round ${round}: the helper died of ${signal}`);
      assert.ok(code === 0 || code === 3, `round ${round}: exit ${code}`);
      if (code === 3) assert.match(answers.at(-1)?.error ?? '', /request stream broken/);
    }
  });

  it('well-framed requests with random contents: each one answered, in order', async () => {
    const next = rng(2);
    const frames: Buffer[] = [];
    for (let i = 0; i < 500; i++) {
      const size = next() % 4 === 0 ? REQ_HEADER_BYTES + (next() % 64) : next() % 200;
      const body = randomBytes(next, size);
      if (size >= 8) {
        body.writeUInt32LE([1, 2, next()][next() % 3], 0); // mostly real request types
        body.writeUInt32LE(i + 1, 4);
      }
      if (size >= 12 && next() % 2) body.writeUInt32LE(process.pid, 8); // a live process the helper may read
      frames.push(frame(body));
    }
    const { code, signal, answers } = await feed(Buffer.concat(frames));
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.equal(answers.length, frames.length);
    answers.forEach((a, i) => { if (frames[i].length >= 12) assert.equal(a.id, i + 1); });
  });

  it('registers inside real code with mutated stacks: every request answered, the real stack still exact afterwards', async () => {
    const next = rng(3);
    const run = new SnapshotRun([nativeFixture('stacks-c', 'c/stacks.c', 'gcc', ['-O2', '-g', '-fomit-frame-pointer']), 'deep']);
    const sym = new Symbolizer({ binary: locateSymbolizer() });
    try {
      const snap = await run.snapshot();
      const code = readFileSync(`/proc/${snap.pid}/maps`, 'utf8').split('\n').filter((l) => / r-xp /.test(l)).map((l) => l.split(' ')[0].split('-').map((h) => BigInt('0x' + h)));
      const sp = snap.regs.sp!;
      const ask = (regs: UserRegs, stack: Buffer) => sym.unwind({ pid: snap.pid, tid: snap.tid, start: 77n, gen: 0, regs, stackAddr: sp, stack });
      const work: Promise<Answer>[] = [];
      for (let i = 0; i < 2000; i++) {
        const stack = Buffer.from(snap.stack);
        for (let k = next() % 64; k > 0; k--) stack[next() % stack.length] = next() & 0xff;
        const regs: UserRegs = { ...snap.regs };
        const [lo, hi] = code[next() % code.length];
        regs.ip = lo + BigInt(next()) % (hi - lo);
        if (next() % 3 === 0) regs[DWARF_REGS[next() % DWARF_REGS.length]] = (BigInt(next()) << 32n) | BigInt(next());
        work.push(ask(regs, next() % 5 === 0 ? stack.subarray(0, next() % stack.length) : stack));
      }
      const answers = await Promise.all(work);
      assert.equal(answers.length, 2000);
      for (const a of answers) assert.ok(a.frames.length > 0 || a.error, 'an answer has frames or says why not');
      const real = stackFromAnswer(await ask(snap.regs, snap.stack));
      assert.equal(real.frames.find((f) => f.file?.endsWith('fixtures/c/stacks.c'))?.line, marks('c/stacks.c').open);
      assert.equal(await run.finish(), 0);
    } finally {
      sym.close();
      run.kill();
    }
  });
});
