/*
 * lens-probe's stdin command language (bpf/linux/events.h, LENS_CMD_*): the
 * one place the agent spells a command. One line each; EOF means stop.
 * test/unit/agent/layout.test.ts checks the words against events.h.
 */
import { PID_LIMIT } from './layout';

/** The command words, as events.h defines them. */
export const CommandWord = { ADD: 'add', REMOVE: 'remove', STATS: 'stats', STOP: 'stop' } as const;

/** Bytes of a command line the probe keeps, its newline included (LENS_CMD_LINE_MAX). */
export const COMMAND_LINE_MAX = 256;

/** A command for a running probe. */
export type ProbeCommand =
  /** trace a running process and, from now on, its descendants */
  | { op: 'add'; pid: number }
  /** stop tracing a process (children already traced stay traced) */
  | { op: 'remove'; pid: number }
  /** a STATS packet now (and SYSAGG in syscount mode) */
  | { op: 'stats' }
  /** drain, send the final STATS and exit */
  | { op: 'stop' };

function checkedPid(op: string, pid: number): number {
  if (!Number.isInteger(pid) || pid <= 0 || pid >= PID_LIMIT) {
    throw new RangeError(`probe command ${op}: pid ${pid} is not a process id (expected an integer from 1 to ${PID_LIMIT - 1})`);
  }
  return pid;
}

/** The line that sends `cmd` to the probe's stdin. Throws a RangeError for a pid out of range. */
export function encodeCommand(cmd: ProbeCommand): string {
  switch (cmd.op) {
    case 'add': return `${CommandWord.ADD} ${checkedPid(cmd.op, cmd.pid)}\n`;
    case 'remove': return `${CommandWord.REMOVE} ${checkedPid(cmd.op, cmd.pid)}\n`;
    case 'stats': return `${CommandWord.STATS}\n`;
    case 'stop': return `${CommandWord.STOP}\n`;
  }
}

/** events.h's name for each constant above (the layout test compares them). */
export const COMMAND_CONSTANTS = {
  LENS_CMD_ADD: CommandWord.ADD, LENS_CMD_REMOVE: CommandWord.REMOVE, LENS_CMD_STATS: CommandWord.STATS,
  LENS_CMD_STOP: CommandWord.STOP, LENS_CMD_LINE_MAX: COMMAND_LINE_MAX,
} as const;
