/*
 * struct lens_pystack (events.h): the Python frame chain the kernel read at
 * the syscall of a registered Python process, each frame's code object and
 * instruction addresses, innermost first.
 */
import { LAYOUT, PY_FRAMES_MAX } from './layout';

const PS = { ...LAYOUT.lens_pystack.fields, size: LAYOUT.lens_pystack.size };
const PF = { ...LAYOUT.lens_pyframe.fields, size: LAYOUT.lens_pyframe.size };

/** struct lens_pystack and its frames. */
export interface PyStackSnapshot {
  /** the registration the walk used (the agent's LENS_CMD_PYTHON cookie) */
  cookie: number;
  /** enum lens_pystack_error (PyStackError) */
  error: number;
  /** LENS_PY_* flags */
  flags: number;
  /** code object addresses, innermost first */
  codes: number[];
  /** each frame's current instruction address */
  instrs: number[];
}

/** The snapshot in dv[at, end), or why it is malformed. */
export function pyStackAt(dv: DataView, at: number, end: number): PyStackSnapshot | string {
  if (end - at < PS.size) return `Python frames of ${end - at} bytes are shorter than their ${PS.size}-byte header`;
  const n = dv.getUint8(at + PS.nframes);
  if (n > PY_FRAMES_MAX || PS.size + n * PF.size !== end - at) return `Python frames: ${n} frames do not fill their ${end - at} bytes`;
  const codes: number[] = [];
  const instrs: number[] = [];
  for (let i = 0, o = at + PS.size; i < n; i++, o += PF.size) {
    codes.push(dv.getUint32(o + PF.code + 4, true) * 4294967296 + dv.getUint32(o + PF.code, true));
    instrs.push(dv.getUint32(o + PF.instr + 4, true) * 4294967296 + dv.getUint32(o + PF.instr, true));
  }
  return { cookie: dv.getUint32(at + PS.cookie, true), error: dv.getUint16(at + PS.error, true), flags: dv.getUint8(at + PS.flags), codes, instrs };
}
