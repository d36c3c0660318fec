/*
 * The Python side of a launched session: the report channel, the folder
 * with the bootstrap that every Python process of the target imports
 * (through PYTHONPATH), and the reading and matching of its reports. Drained
 * on a timer (so the FIFO stays empty) and right before a packet's records
 * are staged.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LensEvent } from '../../protocol';
import { sourceFrame } from '../../model/source-frame';
import { ReportChannel } from '../report-channel';
import { PYTHON_BOOTSTRAP, PYTHON_CHANNEL_ENV } from './bootstrap';
import { PyCorrelator } from './py-correlator';
import { parsePyLine, type PyReport } from './py-reports';

/** Kinds of events a Python call is reported for (bootstrap.ts): only these can miss a dropped report. */
const REPORTED_KINDS = new Set<string>(['exec', 'fork', 'open', 'unlink', 'rmdir', 'rename', 'mkdir', 'chmod', 'chown', 'truncate', 'link', 'symlink', 'chdir', 'connect', 'bind', 'listen', 'udp_send', 'dns']);

/** How often the FIFO is emptied between packets. */
const DRAIN_MS = 20;

/** Native frames (--stacks) are the interpreter's, inside the Python call: the Python frames come after them. */
function addFrames(e: LensEvent, r: PyReport): void {
  e.frames = e.frames ? [...e.frames, ...r.frames] : r.frames;
  if (r.truncated) e.frames_truncated = true;
  else delete e.frames_truncated; // the native walk stopped in the interpreter, where the Python frames go on
  const source = sourceFrame(e.frames);
  if (source) e.source = source;
}

/** Reports of a session's Python processes and their matching to events. */
export class PythonReports {
  private readonly correlator = new PyCorrelator();
  private readonly timer: NodeJS.Timeout;
  /** lines that were not reports (a bug, or another process writing to the FIFO) */
  malformed = 0;

  private constructor(private readonly channel: ReportChannel) {
    this.timer = setInterval(() => this.drain(), DRAIN_MS);
    this.timer.unref();
  }

  /** Makes the channel and writes the bootstrap beside it; throws saying what failed. */
  static open(): PythonReports {
    const channel = ReportChannel.open('python');
    try {
      writeFileSync(path.join(channel.dir, 'sitecustomize.py'), PYTHON_BOOTSTRAP, { mode: 0o600 });
    } catch (e) {
      channel.close();
      throw new Error(`cannot write the Python bootstrap in ${channel.dir}: ${(e as Error).message}`, { cause: e });
    }
    return new PythonReports(channel);
  }

  /** The variables a launched target gets: the bootstrap's folder first on its PYTHONPATH (the user's kept after it), and the channel. */
  env(pythonPath: string | undefined): Record<string, string> {
    return {
      PYTHONPATH: pythonPath ? `${this.channel.dir}${path.delimiter}${pythonPath}` : this.channel.dir,
      [PYTHON_CHANNEL_ENV]: this.channel.fifo,
    };
  }

  /** Reads every report waiting now. */
  drain(): void {
    this.channel.drain((text) => {
      const l = parsePyLine(text);
      if (l.type === 'report') this.correlator.add(l.report, l.lost);
      else if (l.type === 'hello') this.correlator.hello(l.pid);
      else this.malformed++;
    });
  }

  /**
   * Gives an event the Python stack of the call that caused it, when one was reported. Matching
   * happens now, in stream order; the frames are added when `pending` (a stage still adding native
   * frames) settles, after the native ones.
   */
  annotate(e: LensEvent, tsNs: number, pending?: Promise<void>): Promise<void> | undefined {
    const r = this.correlator.match(e, tsNs);
    if (!r) {
      const lost = this.correlator.lostBy(e.pid);
      if (lost && !e.frames && !e.stack_error && REPORTED_KINDS.has(e.kind)) {
        e.stack_error = `no Python stack: none was reported for this call, and ${lost} stack report(s) of this Python process were dropped (report channel full, too many waiting for their events, or a report that could not be made)`;
      }
      return undefined;
    }
    if (!r.frames.length) return undefined; // a call the interpreter made itself (running the script, printing a traceback)
    if (!pending) { addFrames(e, r); return undefined; }
    return pending.then(() => addFrames(e, r), () => addFrames(e, r));
  }

  close(): void {
    clearInterval(this.timer);
    try { this.drain(); } catch { /* closing anyway */ }
    this.channel.close();
  }
}
