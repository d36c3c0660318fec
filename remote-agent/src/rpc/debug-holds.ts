/*
 * The debug holds of one RPC connection (debug/prepare, debug/release): made
 * on request, each reporting its held pids as debug/held notifications, all
 * closed with the connection (every held debuggee then runs).
 */
import { ResponseError } from 'vscode-jsonrpc/node';
import { DebugHold } from '../debug/debug-hold';
import { ErrorCodes, type DebugPrepareResult } from '../protocol';
import * as v from './validate';

/** Holds by id. */
export class DebugHolds {
  private readonly holds = new Map<string, DebugHold>();
  private nextId = 1;

  constructor(private readonly held: (holdId: string, pid: number) => void, private readonly log: (message: string) => void) {}

  /** debug/prepare: a new hold and the environment its debuggee gets. */
  prepare(params: unknown): DebugPrepareResult {
    const p = v.object(params ?? {});
    v.onlyKeys(p, 'params', ['env']);
    const user = p.env === undefined ? {} : v.object(p.env, 'env');
    v.onlyKeys(user, 'env', ['NODE_OPTIONS', 'PYTHONPATH']);
    const NODE_OPTIONS = v.string(user.NODE_OPTIONS, 'env.NODE_OPTIONS', { optional: true });
    const PYTHONPATH = v.string(user.PYTHONPATH, 'env.PYTHONPATH', { optional: true });
    const id = `h${this.nextId++}`;
    let hold: DebugHold;
    try {
      hold = DebugHold.open(id, (pid) => this.held(id, pid), (m) => this.log(`hold ${id}: ${m}`));
    } catch (e) {
      throw new ResponseError(ErrorCodes.InternalError, `cannot prepare the debuggee's hold: ${(e as Error).message}`);
    }
    this.holds.set(id, hold);
    return { holdId: id, hold: hold.wrapper, env: hold.env({ NODE_OPTIONS, PYTHONPATH }) };
  }

  /** debug/release: lets one held pid run, or closes the whole hold. */
  release(params: unknown): void {
    const p = v.object(params);
    v.onlyKeys(p, 'params', ['holdId', 'pid']);
    const id = v.string(p.holdId, 'holdId', { nonEmpty: true })!;
    const pid = v.integer(p.pid, 'pid', { optional: true, min: 1 });
    const hold = this.get(id);
    if (!hold) throw new ResponseError(ErrorCodes.InvalidParams, `no debug hold "${id}"; make one with debug/prepare`);
    if (pid === undefined) {
      hold.close();
      this.holds.delete(id);
    } else {
      hold.release(pid);
    }
  }

  get(id: string): DebugHold | undefined {
    return this.holds.get(id);
  }

  /** A pid is followed now (or could not be): whichever hold keeps it lets it run. */
  releaseAnywhere(pid: number): void {
    for (const h of this.holds.values()) h.release(pid);
  }

  closeAll(): void {
    for (const h of this.holds.values()) h.close();
    this.holds.clear();
  }
}
