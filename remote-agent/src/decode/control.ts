/*
 * Decoding of lens-probe's non-record packets: HELLO, STATS, TARGET, SYSAGG, ERROR.
 */
import { ERROR_MESSAGE_LEN, HIST_BUCKETS, KIND_MAX, LAYOUT, MACHINE_LEN } from './layout';
import { cstring } from './strings';
import { s64, u64, viewOf } from './records';

const HE = LAYOUT.lens_hello.fields;
const ST = LAYOUT.lens_stats.fields;
const TG = LAYOUT.lens_target.fields;
const ER = LAYOUT.lens_error.fields;
const SK = LAYOUT.lens_sysagg_key.fields;
const SV = LAYOUT.lens_sysagg_val.fields;
const SYSAGG_PAIR = LAYOUT.lens_sysagg_key.size + LAYOUT.lens_sysagg_val.size;

/* Decoded control packets; see struct lens_hello, lens_stats, lens_target, lens_error, lens_sysagg_*. */
export interface Hello { abiVersion: number; kindsMask: number; realtimeOffsetNs: number; ringbufBytes: number; machine: string }
/**
 * Cumulative counters since the probe started, indexed by enum lens_kind. committed: records on
 * their way to the reader at the time of the report (struct lens_stats); final: the report after
 * the ring buffer was drained, behind every record.
 */
export interface ProbeStats { events: number[]; dropped: number[]; queuedBytes: number; committed: number[]; final: boolean }
export interface TargetInfo { state: number; pid: number; exitCode: number; signal: number }
export interface ProbeError { code: number; errno: number; message: string }
/** One (process, syscall) of the in-kernel aggregate; the process is pid + startNs (its process key). */
export interface SysAggRow { pid: number; startNs: number; nr: number; count: number; errors: number; totalNs: number; maxNs: number; hist: number[] }

function need(what: string, size: number, start: number, end: number): void {
  if (end - start < size) throw new Error(`corrupt probe output: ${what} packet is ${end - start} bytes, expected ${size}`);
}

/** struct lens_hello */
export function decodeHello(buf: Buffer, start: number, end: number): Hello {
  need('HELLO', LAYOUT.lens_hello.size, start, end);
  const dv = viewOf(buf);
  return {
    abiVersion: dv.getUint32(start + HE.abi_version, true),
    kindsMask: dv.getUint32(start + HE.kinds_mask, true),
    realtimeOffsetNs: s64(dv, start + HE.realtime_offset_ns),
    ringbufBytes: u64(dv, start + HE.ringbuf_bytes),
    machine: cstring(buf, start + HE.machine, MACHINE_LEN),
  };
}

/** struct lens_stats */
export function decodeStats(buf: Buffer, start: number, end: number): ProbeStats {
  need('STATS', LAYOUT.lens_stats.size, start, end);
  const dv = viewOf(buf);
  const events: number[] = [];
  const dropped: number[] = [];
  const committed: number[] = [];
  for (let k = 0; k < KIND_MAX; k++) {
    events.push(u64(dv, start + ST.events + k * 8));
    dropped.push(u64(dv, start + ST.dropped + k * 8));
    committed.push(u64(dv, start + ST.committed + k * 8));
  }
  return { events, dropped, queuedBytes: u64(dv, start + ST.queued_bytes), committed, final: dv.getUint32(start + ST.final, true) !== 0 };
}

/** struct lens_target */
export function decodeTarget(buf: Buffer, start: number, end: number): TargetInfo {
  need('TARGET', LAYOUT.lens_target.size, start, end);
  const dv = viewOf(buf);
  return {
    state: dv.getUint32(start + TG.state, true),
    pid: dv.getUint32(start + TG.pid, true),
    exitCode: dv.getInt32(start + TG.exit_code, true),
    signal: dv.getUint32(start + TG.signal, true),
  };
}

/** struct lens_error */
export function decodeError(buf: Buffer, start: number, end: number): ProbeError {
  need('ERROR', LAYOUT.lens_error.size, start, end);
  const dv = viewOf(buf);
  return {
    code: dv.getUint32(start + ER.code, true),
    errno: dv.getInt32(start + ER.errno_val, true),
    message: cstring(buf, start + ER.message, ERROR_MESSAGE_LEN),
  };
}

/** Array of {struct lens_sysagg_key; struct lens_sysagg_val}. */
export function decodeSysAgg(buf: Buffer, start: number, end: number): SysAggRow[] {
  if ((end - start) % SYSAGG_PAIR !== 0) {
    throw new Error(`corrupt probe output: SYSAGG packet of ${end - start} bytes is not a multiple of ${SYSAGG_PAIR}`);
  }
  const dv = viewOf(buf);
  const rows: SysAggRow[] = [];
  for (let o = start; o < end; o += SYSAGG_PAIR) {
    const v = o + LAYOUT.lens_sysagg_key.size;
    const hist: number[] = [];
    for (let i = 0; i < HIST_BUCKETS; i++) hist.push(u64(dv, v + SV.hist + i * 8));
    rows.push({
      pid: dv.getUint32(o + SK.pid, true), startNs: u64(dv, o + SK.start_ns), nr: dv.getUint32(o + SK.nr, true),
      count: u64(dv, v + SV.count), errors: u64(dv, v + SV.errors), totalNs: u64(dv, v + SV.total_ns), maxNs: u64(dv, v + SV.max_ns), hist,
    });
  }
  return rows;
}
