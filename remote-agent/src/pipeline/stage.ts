/*
 * What a stage and a sink are. A stage sees every record in stream order and
 * adds what it knows (enrich: names, paths, process facts; later symbolize:
 * frames; rules: findings); a sink hands the staged records on (JSON-RPC
 * batches, NDJSON bytes, human lines). Stages run before sinks, record by
 * record, so a sink sees the tables as they were at its record.
 */
import type { HostFacts } from '../backend/backend';
import type { Enricher } from '../enrich/enricher';
import type { PythonReports } from '../runtimes/python/python-reports';
import type { NodeReports } from '../runtimes/node/node-reports';
import type { PythonAttach } from '../runtimes/python/attach/python-attach';
import type { StagedRecord } from './staged-record';
import type { LensEvent } from '../protocol';
import type { CompiledRule } from '../rules/compile';

/** What stages and sinks of one session share. */
export interface StageContext {
  /** the session's tables and time base: processes, fds, DNS names, syscall names, epoch offset */
  readonly enricher: Enricher;
  /** the platform's process facts */
  readonly host: HostFacts;
  /** exec, file, net and dns records carry user-stack snapshots (--stacks) */
  readonly stacks?: boolean;
  /** how lens-symbolize runs for this host (a remote one's over ssh); the local binary when absent */
  readonly symbolizer?: { binary: string; args: string[] };
  /** the Python stack reports of a launched target's Python processes */
  readonly python?: PythonReports;
  /** the JS stack reports of a launched target's Node processes */
  readonly node?: NodeReports;
  /** the rules the session judges events by (none: no rules stage) */
  readonly rules?: readonly CompiledRule[];
  /** attached Python processes: registered with the probe, their kernel-read frames made into frames */
  readonly pythonAttach?: PythonAttach;
}

/** A step every record goes through, in the order of STAGES (stages.ts). */
export interface Stage {
  readonly name: string;
  /** one record, in stream order */
  record(r: StagedRecord): void;
  /**
   * Optional fast path: a syscall record still in place at buf[off]. Used (instead of record()) only
   * while every stage and sink of the session has it and no record is held, so no one misses an event
   * another made and the order stays; it cannot hold a record.
   */
  syscall?(buf: Buffer, dv: DataView, off: number): void;
  /**
   * Optional: sees each record once its event is complete (every stage done, a held record settled),
   * in stream order, and returns the events that follow it in the stream (findings). A stage with it
   * and no syscall() takes syscall records through record(), so it sees them all; one with syscall()
   * sees those needsStaging() asks for.
   */
  complete?(r: StagedRecord): readonly LensEvent[] | undefined;
  /**
   * Optional: whether this in-place syscall record must take the staged path (record(), complete())
   * instead of the in-place one, because this stage has something to add to it (a rule that judges it).
   */
  needsStaging?(buf: Buffer, dv: DataView, off: number): boolean;
  /** the records that arrived together have all been seen */
  flush?(): void;
  /** the session ended: release what the stage runs (helper processes) */
  close?(): void;
}

/** Where staged records go. */
export interface Sink {
  /** one record, after every stage; it may not be kept (toEvent() gives an object that may) */
  record(r: StagedRecord): void;
  /** Optional fast path for syscall records in place, as Stage.syscall. */
  syscall?(buf: Buffer, dv: DataView, off: number): void;
  /** the records that arrived together are complete: hand them on */
  flush(): void;
}

/** Makes a stage for a session; undefined when the session does not need it. */
export type StageFactory = (ctx: StageContext) => Stage | undefined;
/** Makes a sink for a session, once the session's context exists (after the probe's HELLO). */
export type SinkFactory = (ctx: StageContext) => Sink;
