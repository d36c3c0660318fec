/*
 * The pipeline of one session: decoded records (RecordDecoder.visit) go
 * through every stage, then to every sink, record by record; flush() ends
 * the records that arrived together (one RECORDS packet).
 */
import type { ProbeRecord, RecordDecoder, RecordVisitor } from '../decode/records';
import { Kind } from '../decode/layout';
import type { Sink, SinkFactory, Stage, StageContext, StageFactory } from './stage';
import { StagedRecord } from './staged-record';
import { STAGES } from './stages';

/** Stages then sinks for every record of a session. */
export class Pipeline implements RecordVisitor {
  private readonly stages: Stage[];
  private readonly sinks: Sink[];
  private readonly staged: StagedRecord;

  constructor(readonly ctx: StageContext, decoder: RecordDecoder, sinks: readonly SinkFactory[], stages: readonly StageFactory[] = STAGES) {
    this.stages = stages.map((f) => f(ctx)).filter((s): s is Stage => s !== undefined);
    this.sinks = sinks.map((f) => f(ctx));
    this.staged = new StagedRecord((buf, dv, off) => ctx.enricher.syscallEvent(decoder.syscallAt(buf, dv, off)));
  }

  syscall(buf: Buffer, dv: DataView, off: number): void {
    this.run(this.staged.reset(Kind.SYSCALL, buf, dv, off, undefined));
  }

  record(r: ProbeRecord, buf: Buffer, dv: DataView, off: number): void {
    this.run(this.staged.reset(r.kind, buf, dv, off, r));
  }

  private run(r: StagedRecord): void {
    const stages = this.stages;
    for (let i = 0; i < stages.length; i++) stages[i].record(r);
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].record(r);
  }

  /** Ends the records that arrived together: stages settle, sinks hand them on. */
  flush(): void {
    for (const s of this.stages) s.flush?.();
    for (const s of this.sinks) s.flush();
  }
}
