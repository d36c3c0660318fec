/*
 * The symbolize stage (--stacks): a record with a user-stack snapshot is sent
 * to lens-symbolize, and its event gets `frames`, `frames_truncated` and
 * `source` when the answer comes; the pipeline holds it, and the records
 * behind it, until then. It never stalls the pipeline: at most MAX_WAITING
 * snapshots wait (more get "symbolizer busy" at once), each waits at most
 * ANSWER_TIMEOUT_MS, and what is kept per process is bounded and dropped at exit.
 */
import { Flag, Kind, StackError } from '../decode/layout';
import type { StackSnapshot } from '../decode/records';
import { processKey } from '../model/process-key';
import { sourceFrame } from '../model/source-frame';
import type { Stage, StageContext } from '../pipeline/stage';
import type { StagedRecord } from '../pipeline/staged-record';
import type { Frame, LensEvent } from '../protocol';
import { Symbolizer } from './client';
import { CodeMaps, type MappingsFor } from './code-maps';
import { stackFromAnswer } from './frames';
import { assertRootSafe } from '../security/root-safe';
import { locateSymbolizer } from './locate';
import { DWARF_REGS, type Answer, type UnwindRequest, type UserRegs } from './wire';

/** Snapshots sent and not answered yet, at most. */
export const MAX_WAITING = 1024;
/** How long an event waits for its frames before it goes on with a "symbolizer busy" reason. */
export const ANSWER_TIMEOUT_MS = 2000;

const STACK_ERRORS: Record<number, string> = {
  [StackError.KTHREAD]: 'stack not readable: kernel thread',
  [StackError.FAULT]: 'stack not readable: the page at the stack pointer is not mapped or not resident',
  [StackError.ARCH]: 'stack not collected: registers of this architecture are not read (x86_64 only)',
};

/** What the stage needs of lens-symbolize's client (client.ts). */
export interface StackUnwinder {
  unwind(req: Omit<UnwindRequest, 'id'>): Promise<Answer>;
  forget(pid: number, start: bigint): Promise<void>;
  close(): void;
}

/** The stage, when the session has stacks on. */
export function symbolizeStage(ctx: StageContext): Stage | undefined {
  if (!ctx.stacks) return undefined;
  let unwinder: StackUnwinder | string;
  try {
    if (ctx.symbolizer) {
      // a remote host's helper starts through ssh: started with the session, it is ready for the first stacks
      const remote = new Symbolizer(ctx.symbolizer);
      remote.warm();
      unwinder = remote;
    } else {
      const binary = locateSymbolizer();
      // it parses the traced programs' ELF and DWARF: as root, only a binary no other user could have replaced
      if (process.getuid?.() === 0) assertRootSafe(binary, 'the symbolizer');
      unwinder = new Symbolizer({ binary });
    }
  } catch (e) {
    unwinder = `no symbolizer: ${(e as Error).message}`;
  }
  return new SymbolizeStage(unwinder);
}

/**
 * The registers of a snapshot. A dns record's are taken at getaddrinfo's return (events.h): their
 * ip is a return address, and the call is the instruction before it, as for every outer frame.
 */
function userRegs(regs: readonly bigint[], atReturn: boolean): UserRegs {
  const out: UserRegs = {};
  DWARF_REGS.forEach((name, i) => { out[name] = regs[i]; });
  if (atReturn) out.ip = regs[DWARF_REGS.indexOf('ip')] - 1n;
  return out;
}

function framesOf(a: Answer): { frames: Frame[]; truncated: boolean } {
  const s = stackFromAnswer(a);
  const frames = s.frames.map(({ address: _address, ...f }): Frame => f);
  return { frames, truncated: s.frames_truncated };
}

/** Unwinds each snapshot with an unwinder (or says why there is none). */
export class SymbolizeStage implements Stage {
  readonly name = 'symbolize';
  /** events that went on without frames because too many waited or the answer was late */
  busy = 0;
  private waiting = 0;
  /** each process's code mappings, from the probe's mmap records */
  private readonly maps = new CodeMaps();

  constructor(private readonly unwinder: StackUnwinder | string, private readonly timeoutMs = ANSWER_TIMEOUT_MS, private readonly maxWaiting = MAX_WAITING) {}

  record(r: StagedRecord): void {
    const rec = r.record;
    if (rec?.kind === Kind.MMAP) return this.maps.mapped(processKey(rec.pid, rec.startNs), rec);
    const ev = r.event;
    if (!rec || !ev) return;
    if (ev.kind === 'exit') return this.exited(ev);
    if (ev.kind === 'fork') {
      if (ev.child_key && !(rec.flags & Flag.THREAD)) this.maps.forked(ev.key, ev.child_key);
      return;
    }
    // a successful exec's stack is its caller's, in the program the exec replaced
    const beforeExec = ev.kind === 'exec' && ev.ret === 0 ? this.maps.execed(ev.key) ?? 'parent' : undefined;
    const snap = rec.stack;
    if (!snap) return;
    if (snap.error !== StackError.OK) {
      ev.stack_error = STACK_ERRORS[snap.error] ?? `stack not readable (error ${snap.error})`;
    } else if (typeof this.unwinder === 'string') {
      ev.stack_error = this.unwinder;
    } else if (this.waiting >= this.maxWaiting) {
      this.busy++;
      ev.stack_error = `symbolizer busy: ${this.waiting} stacks were waiting to be unwound`;
    } else {
      r.hold = this.unwind(this.unwinder, ev, snap, beforeExec ?? this.maps.now(ev.key));
    }
  }

  close(): void {
    if (typeof this.unwinder !== 'string') this.unwinder.close();
  }

  /**
   * mappings: the process's, or 'parent' for a successful exec whose former program's mappings
   * are not known whole: those are then the parent's at the fork (fork, vfork, posix_spawn): its
   * recorded ones, else its /proc/PID/maps.
   */
  private unwind(unwinder: StackUnwinder, ev: LensEvent, snap: StackSnapshot, mappings: MappingsFor | 'parent'): Promise<void> | undefined {
    const key = mappings === 'parent' ? ev.pkey : ev.key;
    if (!key) {
      ev.stack_error = 'stack not unwound: exec replaced the calling program, and its parent (whose mappings it had) is not traced';
      return undefined;
    }
    const maps = mappings === 'parent' ? this.maps.now(key) : mappings;
    const [pid, start] = key.split(':');
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    this.waiting++;
    const answered = unwinder.unwind({
      pid: Number(pid), tid: key === ev.key ? ev.tid : 0, start: BigInt(start), gen: maps.gen,
      regs: userRegs(snap.regs, ev.kind === 'dns'), stackAddr: snap.regs[DWARF_REGS.indexOf('sp')], stack: Buffer.from(snap.bytes), mappings: maps.mappings,
    }).then((a) => {
      if (done) return;
      if (a.error && !a.frames.length) { ev.stack_error = a.error; return; }
      const { frames, truncated } = framesOf(a);
      ev.frames = frames;
      if (truncated) ev.frames_truncated = true;
      const source = sourceFrame(frames);
      if (source) ev.source = source;
    }, (e: Error) => {
      if (!done) ev.stack_error = `stack not unwound: ${e.message}`;
    });
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (!done) { this.busy++; ev.stack_error = `symbolizer busy: no answer within ${this.timeoutMs} ms`; }
        resolve();
      }, this.timeoutMs);
    });
    return Promise.race([answered, late]).finally(() => {
      done = true;
      clearTimeout(timer);
      this.waiting--;
    });
  }

  /* The process is gone (its exit record comes once, from its last thread). */
  private exited(ev: LensEvent): void {
    this.maps.exited(ev.key);
    if (typeof this.unwinder === 'string') return;
    const [pid, start] = ev.key.split(':');
    this.unwinder.forget(Number(pid), BigInt(start)).catch(() => { /* the helper restarts on the next request */ });
  }
}
