// Stage.complete: events a stage adds after a record (findings) follow that record in the stream,
// and are made once the record is complete, after a stage that held it (frames from symbolize) settled.
import assert from 'node:assert/strict';
import { exitRecord, openRecord } from '../../../remote-agent/src/bench/synthetic';
import { linuxHostFacts } from '../../../remote-agent/src/backend/linux/host-facts';
import { RecordDecoder } from '../../../remote-agent/src/decode/records';
import { enrichStage } from '../../../remote-agent/src/enrich/enrich-stage';
import { Enricher } from '../../../remote-agent/src/enrich/enricher';
import { eventSink } from '../../../remote-agent/src/pipeline/event-sink';
import { Pipeline } from '../../../remote-agent/src/pipeline/pipeline';
import type { Stage } from '../../../remote-agent/src/pipeline/stage';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { waitFor } from '../../helpers/procs';

describe('pipeline: events added after a complete record', function () {
  it('follow their record, in stream order, and see what a holding stage added', async function () {
    let settle!: () => void;
    const holder: Stage = {
      name: 'holder',
      record(r) {
        const e = r.event;
        if (e?.kind !== 'open' || e.path !== '/held') return;
        r.hold = new Promise<void>((resolve) => { settle = () => { e.source = { file: '/app/x.js', line: 7 }; resolve(); }; });
      },
    };
    const noted: Stage = {
      name: 'noter',
      record() {},
      complete(r) {
        const e = r.toEvent();
        return e.kind === 'open' ? [{ ...e, kind: 'exit', exit_code: e.source?.line ?? 0 } as LensEvent] : undefined;
      },
    };
    const decoder = new RecordDecoder();
    const seen: LensEvent[] = [];
    const pipeline = new Pipeline({ enricher: new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: true }), host: linuxHostFacts() },
      decoder, [eventSink((events) => seen.push(...events))], [enrichStage, () => holder, () => noted]);
    const payload = Buffer.concat([openRecord('/first', '', 0, 3), openRecord('/held', '', 0, 3), exitRecord(0)]);
    decoder.visit(payload, 0, payload.length, pipeline);
    pipeline.flush();
    assert.deepEqual(seen.map((e) => e.kind), ['open', 'exit'], 'the first open and what was added after it; the rest waits behind /held');
    settle();
    await waitFor('the held open', () => (seen.length === 5 ? true : undefined));
    assert.deepEqual(seen.map((e) => `${e.kind}${'path' in e ? ' ' + e.path : ''}${e.kind === 'exit' ? ' ' + e.exit_code : ''}`),
      ['open /first', 'exit /first 0', 'open /held', 'exit /held 7', 'exit 0'], 'the added event saw the held record\'s source');
  });
});
