// The symbolize stage (--stacks) in the agent's pipeline: a record's stack snapshot is decoded,
// sent to lens-symbolize, and its event waits for the frames in stream order; a helper that does
// not answer (here the real helper, stopped with SIGSTOP) never stalls the pipeline.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exitRecord, openRecord, withStack } from '../../../remote-agent/src/bench/synthetic';
import { linuxHostFacts } from '../../../remote-agent/src/backend/linux/host-facts';
import { StackError, STACK_NREGS } from '../../../remote-agent/src/decode/layout';
import { RecordDecoder, type ProbeRecord } from '../../../remote-agent/src/decode/records';
import { enrichStage } from '../../../remote-agent/src/enrich/enrich-stage';
import { Enricher } from '../../../remote-agent/src/enrich/enricher';
import { eventSink } from '../../../remote-agent/src/pipeline/event-sink';
import { humanLine } from '../../../remote-agent/src/output/human';
import { Pipeline } from '../../../remote-agent/src/pipeline/pipeline';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { Symbolizer } from '../../../remote-agent/src/symbolize/client';
import { SymbolizeStage, symbolizeStage } from '../../../remote-agent/src/symbolize/symbolize-stage';
import { SYMBOLIZE_BINARY } from '../../helpers/native-stacks';
import { waitFor } from '../../helpers/procs';

const REGS = Array.from({ length: STACK_NREGS }, (_, i) => BigInt(0x7ffd00000000 + i * 8));
const STACK = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const open = (path: string, error: number = StackError.OK) => withStack(openRecord(path, '', 0, -2), REGS, error, error ? Buffer.alloc(0) : STACK);

/** Decodes records into a pipeline of enrich + the stage, collecting what reaches the sink. */
function pipelineWith(stage: SymbolizeStage) {
  const decoder = new RecordDecoder();
  const seen: LensEvent[] = [];
  const pipeline = new Pipeline({ enricher: new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: true }), host: linuxHostFacts(), stacks: true },
    decoder, [eventSink((events) => seen.push(...events))], [enrichStage, () => stage]);
  const feed = (records: Buffer[]) => {
    const payload = Buffer.concat(records);
    decoder.visit(payload, 0, payload.length, pipeline);
    pipeline.flush();
  };
  return { seen, feed, pipeline };
}

describe('symbolize stage', function () {
  this.timeout(20_000);

  it('decodes the registers and stack bytes appended to a record', function () {
    const out: ProbeRecord[] = [];
    const payload = Buffer.concat([open('/a'), exitRecord(0)]);
    const decoder = new RecordDecoder();
    decoder.decode(payload, 0, payload.length, out);
    assert.equal(decoder.problemCount, 0);
    assert.deepEqual(out[0].stack?.regs, REGS);
    assert.equal(out[0].stack?.error, StackError.OK);
    assert.deepEqual([...out[0].stack!.bytes], [...STACK]);
    assert.equal(out[1].stack, undefined, 'the record after it is read whole');
  });

  it('says why a thread\'s stack could not be read, or that there is no symbolizer, without holding the event', function () {
    const { seen, feed } = pipelineWith(new SymbolizeStage('no symbolizer: lens-symbolize not found'));
    feed([open('/kthread', StackError.KTHREAD), open('/fault', StackError.FAULT), open('/ok')]);
    assert.deepEqual(seen.map((e) => e.stack_error), [
      'stack not readable: kernel thread',
      'stack not readable: the page at the stack pointer is not mapped or not resident',
      'no symbolizer: lens-symbolize not found',
    ]);
  });

  it('as root, refuses a symbolizer that another user could replace, and says so on each stack', function () {
    if (process.getuid?.() !== 0) this.skip(); // the check applies to an agent running as root
    const dir = mkdtempSync(path.join(tmpdir(), 'lens-symbolizer-'));
    try {
      const copy = path.join(dir, 'lens-symbolize');
      copyFileSync(SYMBOLIZE_BINARY, copy);
      chmodSync(copy, 0o755);
      chownSync(copy, 65534, 65534);
      process.env.LENS_SYMBOLIZE = copy;
      const stage = symbolizeStage({ enricher: new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: true }), host: linuxHostFacts(), stacks: true });
      assert.ok(stage instanceof SymbolizeStage);
      const { seen, feed } = pipelineWith(stage);
      feed([open('/ok')]);
      assert.match(seen[0].stack_error ?? '', /^no symbolizer: refusing to run the symbolizer .*lens-symbolize as root: .* is owned by uid 65534/);
    } finally {
      delete process.env.LENS_SYMBOLIZE;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('human lines of trace --stacks end with the source line, or say why there is none', function () {
    const base = { ts: 1_700_000_000_123.456, pid: 5, tid: 5, ppid: 1, uid: 0, comm: 'app', key: '5:1000', kind: 'open' as const, syscall: 'openat', path: '/etc/app.ini', flags: 'O_RDONLY', ret: 3 };
    assert.match(humanLine({ ...base, source: { file: '/src/app.c', line: 12, column: 9, function: 'load_config' } }), / openat \/etc\/app\.ini O_RDONLY = 3 at \/src\/app\.c:12 \(load_config\)$/);
    assert.match(humanLine({ ...base, stack_error: 'stack not readable: kernel thread' }), / = 3 \[no stack: stack not readable: kernel thread\]$/);
    assert.match(humanLine(base), / = 3$/);
  });

  describe('with a helper that does not answer', function () {
    let sym: Symbolizer;
    before(async function () {
      assert.ok(existsSync(SYMBOLIZE_BINARY), `${SYMBOLIZE_BINARY} is missing: run scripts/build.sh`);
      sym = new Symbolizer({ binary: SYMBOLIZE_BINARY });
      await sym.forget(1, 1n); // the helper runs and answers
      process.kill(sym.pid!, 'SIGSTOP');
    });
    after(function () {
      if (sym?.pid) process.kill(sym.pid, 'SIGCONT');
      sym?.close();
    });

    it('holds the events behind a waiting one in stream order, then lets them go with "symbolizer busy"', async function () {
      const stage = new SymbolizeStage(sym, 200, 2);
      const { seen, feed, pipeline } = pipelineWith(stage);
      feed([open('/first'), exitRecord(0, 0, { pid: 300 }), open('/second'), open('/third')]);
      // the third snapshot found two waiting: it is not sent, but it stays behind them
      assert.equal(seen.length, 0, 'nothing passes a record that waits for its frames');
      await waitFor('the held events', () => (seen.length === 4 ? true : undefined), 10_000);
      assert.deepEqual(seen.map((e) => [e.kind, 'path' in e ? e.path : e.pid]), [['open', '/first'], ['exit', 300], ['open', '/second'], ['open', '/third']]);
      assert.deepEqual(seen.map((e) => e.stack_error), [
        'symbolizer busy: no answer within 200 ms', undefined, 'symbolizer busy: no answer within 200 ms', 'symbolizer busy: 2 stacks were waiting to be unwound',
      ]);
      assert.equal(stage.busy, 3);
      assert.equal(pipeline.idle(), undefined, 'nothing is left waiting');
    });
  });
});
