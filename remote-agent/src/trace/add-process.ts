/*
 * Adding running processes to a running session (session/addProcess), one at
 * a time. The probe answers an `add PID` in order: a TARGET packet (ADDED,
 * pid) when it follows the process, an ERROR packet (`add: ...`) when it
 * refuses it (no such process; not this user's to ptrace).
 */
import type { ProbeControl } from '../backend/backend';
import { CommandWord } from '../decode/commands';
import type { ProbeError } from '../decode/control';
import { ErrorCodes, type Fix } from '../protocol';
import { errorCodeForProbe, SessionError } from './errors';

interface PendingAdd { pid: number; resolve(): void; reject(e: Error): void }

/** The adds of one session, in order. */
export class ProcessAdder {
  private queue: Promise<void> = Promise.resolve();
  private current: PendingAdd | undefined;
  private over = false;

  /**
   * @param probe the session's probe, once started
   * @param seed learns what the host knows of the process and its descendants before its events come
   */
  constructor(private readonly probe: () => ProbeControl | undefined, private readonly seed: (pid: number) => void) {}

  /** Resolves when the probe follows `pid`; rejects with a SessionError when it refused or the session ended. */
  add(pid: number): Promise<void> {
    const run = this.queue.then(() => this.send(pid));
    this.queue = run.catch(() => { /* the caller gets it */ });
    return run;
  }

  private send(pid: number): Promise<void> {
    const probe = this.probe();
    if (this.over || !probe) return Promise.reject(this.endedError(pid));
    return new Promise((resolve, reject) => {
      this.current = { pid, resolve, reject };
      this.seed(pid);
      probe.addPid(pid);
    });
  }

  /** A TARGET packet said the probe follows `pid` now. */
  accepted(pid: number): void {
    const c = this.current;
    if (!c || c.pid !== pid) return;
    this.current = undefined;
    c.resolve();
  }

  /** An ERROR packet: true when it was the answer to the pending add (then it is this add's failure, not the session's). */
  refused(err: ProbeError, fixes: (code: number) => Fix[]): boolean {
    const c = this.current;
    const prefix = `${CommandWord.ADD}: `;
    if (!c || !err.message.startsWith(prefix)) return false;
    this.current = undefined;
    c.reject(new SessionError(errorCodeForProbe(err.code), `cannot add pid ${c.pid} to the session: ${err.message.slice(prefix.length)}`, fixes(err.code)));
    return true;
  }

  /** The session ended: adds still waiting fail. */
  ended(): void {
    this.over = true;
    const c = this.current;
    this.current = undefined;
    c?.reject(this.endedError(c.pid));
  }

  private endedError(pid: number): SessionError {
    return new SessionError(ErrorCodes.InvalidRequest, `the session ended before pid ${pid} could be added`);
  }
}
