/*
 * lens-probe's stdin command language (bpf/linux/events.h, LENS_CMD_*): the
 * one place the agent spells a command. One line each; EOF means stop.
 * test/unit/agent/layout.test.ts checks the words against events.h.
 */
import { PID_LIMIT, PY_NONE } from './layout';

/** The command words, as events.h defines them. */
export const CommandWord = { ADD: 'add', REMOVE: 'remove', STATS: 'stats', STOP: 'stop', PYTHON: 'python' } as const;

/**
 * Where a Python process's frame chain is (struct lens_py_proc, its fields in order): byte offsets into
 * its CPython version's structs, PY_NONE where a step does not exist.
 */
export interface PyWalkOffsets {
  interpNext: number; interpThreads: number; threadNext: number; threadTid: number; threadFrame: number;
  cframeFrame: number; frameCode: number; framePrevious: number; frameInstr: number; frameOwner: number; ownerCstack: number;
}
/** The order of struct lens_py_proc's offset fields (and of the command's words). */
const PY_OFFSET_FIELDS = ['interpNext', 'interpThreads', 'threadNext', 'threadTid', 'threadFrame', 'cframeFrame', 'frameCode', 'framePrevious', 'frameInstr', 'frameOwner', 'ownerCstack'] as const;
/** Offsets that may be PY_NONE. */
const PY_MAY_BE_NONE = new Set<string>(['cframeFrame', 'ownerCstack']);

/** Bytes of a command line the probe keeps, its newline included (LENS_CMD_LINE_MAX). */
export const COMMAND_LINE_MAX = 256;

/** A command for a running probe. */
export type ProbeCommand =
  /** trace a running process and, from now on, its descendants */
  | { op: 'add'; pid: number }
  /** stop tracing a process (children already traced stay traced) */
  | { op: 'remove'; pid: number }
  /** walk this Python process's frames at its events: `head` is the address of _PyRuntime.interpreters.head */
  | { op: 'python'; pid: number; cookie: number; head: number; offsets: PyWalkOffsets }
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

function pythonWords(cmd: Extract<ProbeCommand, { op: 'python' }>): string {
  const bad = (what: string): never => { throw new RangeError(`probe command python ${cmd.pid}: ${what}`); };
  if (!Number.isInteger(cmd.cookie) || cmd.cookie < 1 || cmd.cookie > 0xffffffff) bad(`cookie ${cmd.cookie} is not from 1 to 4294967295`);
  if (!Number.isSafeInteger(cmd.head) || cmd.head <= 0 || cmd.head >= 2 ** 48) bad(`address ${cmd.head} is not a user-space address`);
  const words = PY_OFFSET_FIELDS.map((f) => {
    const v = cmd.offsets[f];
    if (!(Number.isInteger(v) && v >= 0 && (v < PY_NONE - 1 || (v === PY_NONE && PY_MAY_BE_NONE.has(f))))) bad(`offset ${f}=${v} is not a struct offset below ${PY_NONE - 1}`);
    return String(v);
  });
  return `${cmd.cookie} ${cmd.head.toString(16)} ${words.join(' ')}`;
}

/** The line that sends `cmd` to the probe's stdin. Throws a RangeError for a pid out of range. */
export function encodeCommand(cmd: ProbeCommand): string {
  switch (cmd.op) {
    case 'add': return `${CommandWord.ADD} ${checkedPid(cmd.op, cmd.pid)}\n`;
    case 'remove': return `${CommandWord.REMOVE} ${checkedPid(cmd.op, cmd.pid)}\n`;
    case 'python': return `${CommandWord.PYTHON} ${checkedPid(cmd.op, cmd.pid)} ${pythonWords(cmd)}\n`;
    case 'stats': return `${CommandWord.STATS}\n`;
    case 'stop': return `${CommandWord.STOP}\n`;
  }
}

/** events.h's name for each constant above (the layout test compares them). */
export const COMMAND_CONSTANTS = {
  LENS_CMD_ADD: CommandWord.ADD, LENS_CMD_REMOVE: CommandWord.REMOVE, LENS_CMD_STATS: CommandWord.STATS,
  LENS_CMD_STOP: CommandWord.STOP, LENS_CMD_PYTHON: CommandWord.PYTHON, LENS_CMD_LINE_MAX: COMMAND_LINE_MAX,
} as const;
