/*
 * One debug configuration prepared for tracing (debug/prepare): the hold's
 * FIFO that held debuggees report their pid to, and the Node and Python report
 * channels its processes get through their environment, shared by the
 * sessions of its runs (a restarted debuggee reports to the same hold).
 * A held pid waits until a session follows it (session/start, addProcess) or
 * the client lets it go (debug/release); closing the hold lets every one go.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { NodeReports } from '../runtimes/node/node-reports';
import { PythonReports } from '../runtimes/python/python-reports';
import { ReportChannel } from '../runtimes/report-channel';
import { ensureHoldFile, HOLD_DIR_ENV, HOLD_FIFO } from './hold-script';

/** How often the hold's FIFO is read. */
const POLL_MS = 10;

/** A prepared debug configuration's hold and report channels. */
export class DebugHold {
  private readonly timer: NodeJS.Timeout;
  /** pids reported and not let go yet */
  private readonly waiting = new Set<number>();
  private closed = false;

  private constructor(
    readonly id: string,
    readonly wrapper: string,
    private readonly channel: ReportChannel,
    readonly node: NodeReports | undefined,
    readonly python: PythonReports | undefined,
    private readonly onHeld: (pid: number) => void,
  ) {
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
  }

  /**
   * Makes the hold (throws saying what failed); `warn` hears which runtime gets no stacks. Held
   * pids go to `onHeld`.
   */
  static open(id: string, onHeld: (pid: number) => void, warn: (message: string) => void): DebugHold {
    const wrapper = ensureHoldFile();
    const channel = ReportChannel.open('hold');
    if (path.basename(channel.fifo) !== HOLD_FIFO) throw new Error(`the hold's FIFO is ${channel.fifo}, not ${HOLD_FIFO}`);
    let node: NodeReports | undefined;
    let python: PythonReports | undefined;
    try { node = NodeReports.open(); } catch (e) { warn(`Node processes of this debug session will have no JS stacks: ${(e as Error).message}`); }
    try { python = PythonReports.open(); } catch (e) { warn(`Python processes of this debug session will have no Python stacks: ${(e as Error).message}`); }
    return new DebugHold(id, wrapper, channel, node, python, onHeld);
  }

  /** What the debuggee's environment gets: the hold's folder, and the runtimes' variables (the user's NODE_OPTIONS and PYTHONPATH kept). */
  env(user: { NODE_OPTIONS?: string; PYTHONPATH?: string }): Record<string, string> {
    return {
      [HOLD_DIR_ENV]: this.channel.dir,
      ...this.node?.env(user.NODE_OPTIONS),
      ...this.python?.env(user.PYTHONPATH),
    };
  }

  /** Whether `pid` reported to this hold and still waits. */
  holds(pid: number): boolean {
    return this.waiting.has(pid);
  }

  /** Lets a held pid run (its wrapper execs the debuggee); nothing for a pid that does not wait. */
  release(pid: number): void {
    if (!this.waiting.delete(pid)) return;
    let fd: number;
    try {
      fd = openSync(path.join(this.channel.dir, `go.${pid}`), constants.O_WRONLY | constants.O_NONBLOCK);
    } catch {
      return; // the wrapper gave up waiting (it says so) or is gone
    }
    try { writeSync(fd, 'go\n'); } catch { /* it reads EOF and goes on all the same */ } finally { closeSync(fd); }
  }

  /** Lets every held pid go and removes the hold's folder and channels. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const pid of [...this.waiting]) this.release(pid);
    this.channel.close();
    this.node?.close();
    this.python?.close();
  }

  private poll(): void {
    this.channel.drain((line) => {
      const pid = Number(line.trim());
      if (!Number.isInteger(pid) || pid <= 0) return;
      this.waiting.add(pid);
      this.onHeld(pid);
    });
  }
}
