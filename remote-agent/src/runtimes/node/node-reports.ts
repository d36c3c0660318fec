/*
 * The Node side of a launched session: the report channel, the environment
 * that makes every Node process of the target load the preload, and the
 * reading and matching of its reports. Drained on a timer (the FIFO stays
 * empty) and right before a packet's records are staged.
 */
import { sourceFrame } from '../../model/source-frame';
import type { Frame, LensEvent } from '../../protocol';
import { ReportChannel } from '../report-channel';
import { Correlator } from './correlator';
import { jsFrames } from './js-frames';
import { ensurePreloadFile } from './preload-file';
import { ReportReader, type RawJsFrame } from './reports';
import { SourceMaps } from './source-maps';

/** How often the FIFO is emptied between packets. */
const DRAIN_MS = 20;

/** Reports of a session's Node processes and their matching to events. */
export class NodeReports {
  private readonly reader = new ReportReader();
  private readonly correlator = new Correlator();
  private readonly maps = new SourceMaps();
  /** event frames per reported stack (shared by the reports that repeat it) */
  private readonly framesOf = new WeakMap<RawJsFrame[], Frame[]>();
  private readonly timer: NodeJS.Timeout;
  /** lines that were not reports (a bug, or a process writing to the FIFO that is not the preload) */
  malformed = 0;

  private constructor(private readonly channel: ReportChannel, readonly preloadFile: string) {
    this.timer = setInterval(() => this.drain(), DRAIN_MS);
    this.timer.unref();
  }

  /** Writes the preload and opens a report channel; throws with what failed. */
  static open(): NodeReports {
    const file = ensurePreloadFile();
    return new NodeReports(ReportChannel.open('node'), file);
  }

  /** The variables a launched target gets: its NODE_OPTIONS (the user's, kept) plus the preload, and the channel. */
  env(nodeOptions: string | undefined): Record<string, string> {
    const quoted = /[\s"\\]/.test(this.preloadFile) ? JSON.stringify(this.preloadFile) : this.preloadFile;
    return {
      NODE_OPTIONS: `${nodeOptions ? nodeOptions + ' ' : ''}--require ${quoted}`,
      RUNTIME_LENS_NODE_CHANNEL: this.channel.fifo,
    };
  }

  /** Reads every report waiting now. */
  drain(): void {
    this.channel.drain((text) => {
      const l = this.reader.line(text);
      if (l.type === 'report') this.correlator.add(l.report, l.lost);
      else if (l.type === 'hello') { if (l.tid === l.pid) this.correlator.hello(l.pid); }
      else this.malformed++;
    });
  }

  /**
   * Finds the call that caused an event (now: reports are matched in stream order) and returns
   * what gives the event its JS stack, to run once the event's native frames are in (symbolize).
   */
  annotate(e: LensEvent, tsNs: number): (() => void) | undefined {
    if (e.kind === 'exit') {
      this.correlator.exit(e.pid);
      this.reader.forget(e.pid);
      return undefined;
    }
    const r = this.correlator.match(e, tsNs);
    if (!r) {
      const lost = this.correlator.reporting(e.pid)?.lost;
      if (!lost || e.kind === 'syscall') return undefined;
      return () => {
        if (!e.frames && !e.stack_error) e.stack_error = `no JS stack: this Node process dropped ${lost} stack report(s) because the report channel was full`;
      };
    }
    let frames = this.framesOf.get(r.frames);
    if (!frames) this.framesOf.set(r.frames, frames = jsFrames(r.frames, this.maps, this.preloadFile));
    const js = frames;
    const sameThread = r.sync && r.tid === e.tid;
    return () => {
      e.frames = e.frames ? withNative(e.frames, js, sameThread) : js;
      if (r.truncated) e.frames_truncated = true;
      const source = sourceFrame(e.frames);
      if (source) e.source = source;
    };
  }

  close(): void {
    clearInterval(this.timer);
    try { this.drain(); } catch { /* closing anyway */ }
    this.channel.close();
  }
}

/* V8's frames on a native stack: the interpreter and baseline code running JS functions, and JIT code (no module). */
const V8_JS_CODE = /^Builtins_(InterpreterEntryTrampoline|BaselineOutOfLinePrologue|.*Baseline)/;
const V8_ENTRY = /^Builtins_JSEntry/;

/**
 * An event's native frames with its JS frames. For a call made on the event's own thread the JS
 * frames take the place of the V8 frames that ran them (between the native call and V8's entry),
 * so the stack reads native → JS → native as it ran; otherwise (work queued from elsewhere, or
 * no V8 frames found) they follow the native frames: the call that queued the work.
 */
export function withNative(native: Frame[], js: Frame[], sameThread: boolean): Frame[] {
  if (sameThread) {
    const start = native.findIndex((f) => (f.function ? V8_JS_CODE.test(f.function) : f.module === ''));
    if (start > 0) {
      let end = start;
      while (end < native.length && !V8_ENTRY.test(native[end].function ?? '')) end++;
      if (end < native.length) return [...native.slice(0, start), ...js, ...native.slice(end)];
    }
  }
  return [...native, ...js];
}
