/*
 * The sink behind JSON-RPC batches and human output: the event objects of the
 * records that arrived together, handed on as one array.
 */
import type { LensEvent } from '../protocol';
import type { Sink, SinkFactory } from './stage';
import type { StagedRecord } from './staged-record';

/** A sink that hands on the events of the records that arrived together; the array is the receiver's to keep. */
export function eventSink(events: (batch: LensEvent[]) => void): SinkFactory {
  return (): Sink => {
    let batch: LensEvent[] = [];
    return {
      record(r: StagedRecord): void {
        batch.push(r.toEvent());
      },
      flush(): void {
        if (!batch.length) return;
        const out = batch;
        batch = [];
        events(out);
      },
    };
  };
}
