/*
 * The rules stage: every event is judged by the session's rules, looked up by
 * its evt.type (a rule names the types it can match, so an event meets only
 * its own few); a match makes a finding that follows the event to the sinks.
 * A rule about the event's source line (src.*) waits for the stack stages;
 * the finding always carries the event's source frame once known. The
 * syscall stream stays in place except for syscalls a rule names.
 */
import { LAYOUT } from '../decode/layout';
import type { Stage, StageContext } from '../pipeline/stage';
import type { StagedRecord } from '../pipeline/staged-record';
import type { FindingEvent, LensEvent } from '../protocol';
import type { CompiledRule } from './compile';
import { EventFacts, type ProcFacts } from './event-facts';
import { evtType, KIND_TYPES } from './fields';

const NR_OFF = LAYOUT.lens_syscall_event.fields.nr;

/** The rules, indexed by the evt.type they match. */
export class RuleIndex {
  private readonly byType = new Map<string, readonly CompiledRule[]>();
  constructor(readonly rules: readonly CompiledRule[]) {}

  /** The rules an event of this type meets; `stream`: a syscall-stream event (rules naming no type skip those). */
  forType(type: string, stream: boolean): readonly CompiledRule[] {
    const key = stream ? '\0' + type : type;
    let list = this.byType.get(key);
    if (!list) {
      // the syscall stream does not repeat what our own kinds say (an openat is judged as an open event)
      list = stream && (KIND_TYPES as readonly string[]).includes(type) ? [] : this.rules.filter((r) => (r.types ? r.types.has(type) : !stream));
      this.byType.set(key, list);
    }
    return list;
  }
}

/** A finding of `rule` on `ev`: the event's process, time and source; the rule's name, priority, output, tags. */
export function finding(rule: CompiledRule, ev: LensEvent, output: string): FindingEvent {
  return {
    ts: ev.ts, kind: 'finding', pid: ev.pid, tid: ev.tid, ppid: ev.ppid, uid: ev.uid, comm: ev.comm, key: ev.key, ...(ev.pkey ? { pkey: ev.pkey } : {}),
    rule: rule.name, priority: rule.priority, output, tags: rule.tags, event: ev, ruleFile: { file: rule.file, line: rule.line },
  };
}

/* The event's source and stack, once the stages that add them are done. */
function withSource(f: FindingEvent): void {
  const ev = f.event;
  if (ev.source) f.source = ev.source;
  if (ev.frames) f.frames = ev.frames;
  if (ev.stack_error) f.stack_error = ev.stack_error;
}

/** Judges events by the session's rules; absent when the session has none. */
export function rulesStage(ctx: StageContext): Stage | undefined {
  if (!ctx.rules?.length) return undefined;
  return new RulesStage(new RuleIndex(ctx.rules), new EventFacts(ctx.enricher.processes, (uid) => ctx.host.userName(uid)), (nr) => ctx.enricher.syscallName(nr));
}

/** What an event's rules left for complete(): findings made, and rules about the source waiting for the stack. */
interface Pending { found: FindingEvent[]; later?: CompiledRule[]; chain?: ProcFacts[] }

export class RulesStage implements Stage {
  readonly name = 'rules';
  /** per syscall number: 1 a rule judges it (stage the record), 2 none does, 0 not looked up yet */
  private readonly wanted = new Uint8Array(1 << 16);
  /** events with findings (or rules waiting for their stack), until they are complete */
  private readonly pending = new Map<LensEvent, Pending>();

  constructor(private readonly index: RuleIndex, private readonly facts: EventFacts, private readonly syscallName: (nr: number) => string) {}

  /* Rules are judged as the record passes, with the process facts of that moment; those about its source line wait for its stack. */
  record(r: StagedRecord): void {
    const ev = r.event ?? (r.inPlace ? this.stagedSyscall(r) : undefined);
    if (!ev || ev.kind === 'finding') return;
    const rules = this.index.forType(evtType(ev), ev.kind === 'syscall');
    const facts = this.facts.reset(ev);
    let found: FindingEvent[] | undefined;
    let later: CompiledRule[] | undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (rule.needsStack && r.hold) { (later ??= []).push(rule); continue; }
      if (rule.match(facts)) (found ??= []).push(finding(rule, ev, rule.output(facts)));
    }
    facts.memory.note(facts);
    if (found || later) this.pending.set(ev, { found: found ?? [], later, chain: later ? facts.ancestors() : undefined });
  }

  /* Once the event is complete (its stack known): the waiting rules, and every finding gets the event's source. */
  complete(r: StagedRecord): readonly LensEvent[] | undefined {
    const ev = r.event;
    const p = ev && this.pending.get(ev);
    if (!p) return undefined;
    this.pending.delete(ev!);
    if (p.later) {
      const f = this.facts.reset(ev!);
      f.useAncestors(p.chain!);
      for (const rule of p.later) if (rule.match(f)) p.found.push(finding(rule, ev!, rule.output(f)));
    }
    for (const f of p.found) withSource(f);
    return p.found.length ? p.found : undefined;
  }

  private stagedSyscall(r: StagedRecord): LensEvent | undefined {
    return this.needsStaging(r.buf, r.dv, r.off) ? r.toEvent() : undefined;
  }

  /** The syscall stream stays in place but for syscalls a rule names. */
  needsStaging(_buf: Buffer, dv: DataView, off: number): boolean {
    const nr = dv.getUint16(off + NR_OFF, true);
    let w = this.wanted[nr];
    if (w === 0) {
      w = this.index.forType(this.syscallName(nr), true).length ? 1 : 2;
      this.wanted[nr] = w;
    }
    return w === 1;
  }

  syscall(): void { /* in place: no rule judges this syscall (needsStaging said so) */ }
}
