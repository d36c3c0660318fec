/*
 * One record on its way through the pipeline. Syscall records (the full
 * stream runs at a million a second) stay in the probe's buffer: a stage or
 * sink that wants their event object asks toEvent(), the others read the
 * bytes. Every other kind arrives decoded, and the enrich stage sets its
 * event. Valid only during the call it is handed to: the pipeline reuses it.
 */
import { Kind } from '../decode/layout';
import type { ProbeRecord } from '../decode/records';
import type { LensEvent } from '../protocol';

/** Makes the event of an in-place syscall record (the pipeline's enricher). */
export type SyscallMaterializer = (buf: Buffer, dv: DataView, off: number) => LensEvent;

/** A record in the pipeline: in place (syscall) or decoded, and its event once made. */
export class StagedRecord {
  /** enum lens_kind */
  kind = 0;
  /** the RECORDS packet payload and the record's offset in it (every kind) */
  buf: Buffer = Buffer.alloc(0);
  dv: DataView = new DataView(new ArrayBuffer(0));
  off = 0;
  /** the decoded record; undefined for syscall records, which stay in place */
  record: ProbeRecord | undefined;
  /** the event, once a stage made it */
  event: LensEvent | undefined;
  /** set by a stage that completes the event later (symbolize): sinks get it, in stream order, once this settles */
  hold: Promise<void> | undefined;

  constructor(private readonly materialize: SyscallMaterializer) {}

  /** Points this object at the next record. */
  reset(kind: number, buf: Buffer, dv: DataView, off: number, record: ProbeRecord | undefined): this {
    this.kind = kind;
    this.buf = buf;
    this.dv = dv;
    this.off = off;
    this.record = record;
    this.event = undefined;
    this.hold = undefined;
    return this;
  }

  /** Whether this is a syscall record still in place (no event object made). */
  get inPlace(): boolean {
    return this.kind === Kind.SYSCALL && this.event === undefined;
  }

  /** A copy that may be kept (its event made now): for records held behind one a stage completes later. */
  detach(): StagedRecord {
    const d = new StagedRecord(this.materialize);
    d.event = this.toEvent();
    d.kind = this.kind;
    d.record = this.record;
    return d;
  }

  /** The record's event, made now if it was still in place. */
  toEvent(): LensEvent {
    return this.event ??= this.materialize(this.buf, this.dv, this.off);
  }
}
