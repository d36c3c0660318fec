/*
 * A helper answer as the event fields: frames innermost first, in the event
 * format every kind shares (kind "native"), and why the stack is cut short.
 */
import type { Answer } from './wire';

/** One native source frame of an event. */
export interface NativeFrame {
  kind: 'native';
  /** absent when neither debug info nor a symbol names the code */
  function?: string;
  file?: string;
  line?: number;
  column?: number;
  /** the mapped file the code is in ("" for anonymous memory) */
  module: string;
  /** the pc, hex: what is left to go on when nothing else is known */
  address: string;
  /** the call was inlined into the frame after it */
  inlined?: true;
  /** why there is no line: "no debug info", "stripped", "deleted binary", … */
  reason?: string;
}

/** The stack fields of an event. */
export interface NativeStack {
  frames: NativeFrame[];
  frames_truncated: boolean;
  /** why the frames end before the program's outermost one */
  frames_truncated_reason?: string;
}

/** The event fields for one helper answer. */
export function stackFromAnswer(a: Answer): NativeStack {
  const frames = a.frames.map((w): NativeFrame => {
    const f: NativeFrame = { kind: 'native', module: w.module, address: '0x' + w.pc.toString(16) };
    if (w.function) f.function = w.function;
    if (w.file) f.file = w.file;
    if (w.line) f.line = w.line;
    if (w.column) f.column = w.column;
    if (w.inlined) f.inlined = true;
    if (!w.line) f.reason = w.reason || 'no line for this address';
    return f;
  });
  const why = a.error || a.truncation;
  const stack: NativeStack = { frames, frames_truncated: a.truncated || a.error !== '' };
  if (stack.frames_truncated) stack.frames_truncated_reason = why || 'unknown';
  return stack;
}
