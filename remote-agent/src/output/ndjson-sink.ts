/*
 * The NDJSON sink of `trace --json`: staged records as NDJSON bytes, syscall
 * records still in place written straight from the probe's buffer.
 */
import type { Sink, SinkFactory } from '../pipeline/stage';
import type { StagedRecord } from '../pipeline/staged-record';
import { NdjsonEncoder, type NdjsonBatch } from './ndjson-encoder';

/** A sink that hands on the NDJSON lines of the records that arrived together; the bytes are reused after the call. */
export function ndjsonSink(lines: (batch: NdjsonBatch) => void): SinkFactory {
  return (ctx): Sink => {
    const encoder = new NdjsonEncoder(ctx.enricher);
    return {
      record(r: StagedRecord): void {
        if (r.inPlace) encoder.syscall(r.buf, r.dv, r.off);
        else encoder.event(r.toEvent());
      },
      syscall(buf: Buffer, dv: DataView, off: number): void {
        encoder.syscall(buf, dv, off);
      },
      flush(): void {
        if (encoder.pending) lines(encoder.take());
      },
    };
  };
}
