/*
 * The pipeline of one session: decoded records (RecordDecoder.visit) go
 * through every stage, then to every sink, record by record; flush() ends
 * the records that arrived together (one RECORDS packet). Syscall records
 * take the stages' and sinks' in-place path (Stage.syscall) when all of them
 * have one and no record is held.
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
  /** records waiting for a held record before them, in stream order (bounded by the stage that holds) */
  private readonly held: { r: StagedRecord; settled: boolean }[] = [];
  private idleWaiters: (() => void)[] = [];
  /** every stage and sink takes syscall records in place (Stage.syscall) */
  private readonly inPlace: boolean;
  /** stages that add events after a complete record (Stage.complete) */
  private readonly completers: Stage[];
  /** the record that carries an event a stage added */
  private readonly added: StagedRecord;
  /** stages that may want an in-place syscall record staged (Stage.needsStaging) */
  private readonly stagers: Stage[];

  constructor(readonly ctx: StageContext, decoder: RecordDecoder, sinks: readonly SinkFactory[], stages: readonly StageFactory[] = STAGES) {
    this.stages = stages.map((f) => f(ctx)).filter((s): s is Stage => s !== undefined);
    this.sinks = sinks.map((f) => f(ctx));
    this.staged = new StagedRecord((buf, dv, off) => ctx.enricher.syscallEvent(decoder.syscallAt(buf, dv, off)));
    this.completers = this.stages.filter((s) => s.complete !== undefined);
    this.added = new StagedRecord(() => { throw new Error('an added event is never in place'); });
    // a stage that adds events and has syscall() sees syscall records only when it asks (needsStaging)
    this.inPlace = [...this.stages, ...this.sinks].every((s) => s.syscall !== undefined);
    this.stagers = this.stages.filter((s) => s.needsStaging !== undefined);
  }

  private staging(buf: Buffer, dv: DataView, off: number): boolean {
    const st = this.stagers;
    for (let i = 0; i < st.length; i++) if (st[i].needsStaging!(buf, dv, off)) return true;
    return false;
  }

  syscall(buf: Buffer, dv: DataView, off: number): void {
    if (!this.inPlace || this.held.length || (this.stagers.length && this.staging(buf, dv, off))) {
      this.run(this.staged.reset(Kind.SYSCALL, buf, dv, off, undefined));
      return;
    }
    const stages = this.stages;
    for (let i = 0; i < stages.length; i++) stages[i].syscall!(buf, dv, off);
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].syscall!(buf, dv, off);
  }

  record(r: ProbeRecord, buf: Buffer, dv: DataView, off: number): void {
    this.run(this.staged.reset(r.kind, buf, dv, off, r));
  }

  private run(r: StagedRecord): void {
    const stages = this.stages;
    for (let i = 0; i < stages.length; i++) stages[i].record(r);
    // a record no stage made an event of (a code mapping) has nothing for the sinks
    if (r.record && !r.event) return;
    if (r.hold || this.held.length) return this.holdBack(r);
    this.deliver(r);
  }

  /* A complete record to every sink, then the events stages add after it (findings). */
  private deliver(r: StagedRecord): void {
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].record(r);
    for (const stage of this.completers) {
      const events = stage.complete!(r);
      if (!events) continue;
      for (const ev of events) {
        this.added.reset(0, r.buf, r.dv, r.off, undefined).event = ev;
        for (let i = 0; i < sinks.length; i++) sinks[i].record(this.added);
      }
    }
  }

  /* A record a stage completes later, or one behind it: kept until the ones before it are done. */
  private holdBack(r: StagedRecord): void {
    const entry = { r: r.detach(), settled: !r.hold };
    this.held.push(entry);
    r.hold?.then(() => { entry.settled = true; this.release(); }, () => { entry.settled = true; this.release(); });
  }

  private release(): void {
    let n = 0;
    while (this.held.length && this.held[0].settled) {
      const { r } = this.held.shift()!;
      this.deliver(r);
      n++;
    }
    if (n) for (const s of this.sinks) s.flush();
    if (!this.held.length) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** The session ended: stages release what they run. */
  close(): void {
    for (const s of this.stages) s.close?.();
  }

  /** Resolves once every record has reached the sinks; undefined when none is held now. */
  idle(): Promise<void> | undefined {
    if (!this.held.length) return undefined;
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Ends the records that arrived together: stages settle, sinks hand them on. */
  flush(): void {
    for (const s of this.stages) s.flush?.();
    for (const s of this.sinks) s.flush();
  }
}
