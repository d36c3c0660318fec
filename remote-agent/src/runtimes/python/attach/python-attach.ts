/*
 * Python frames of attached processes (`trace --pid`, session/addProcess):
 * the agent finds CPython in each attached process and its descendants
 * (py-runtime.ts) and registers it with the probe, which then reads the
 * calling thread's frame chain in the kernel at each exec, file, net and
 * dns event (bpf/linux/pystack.bpf.h); here each frame's code object is
 * read from the process's memory (py-code.ts) and becomes a frame with its
 * exact line. A fork inherits its parent's registration in the kernel; a
 * process that execs is looked at again (a Python child is registered
 * then). Launched targets are never registered: their Python processes
 * report through the audit hook (python-reports.ts), so no event gets its
 * frames twice.
 */
import type { HostFacts, ProcessMemory, PythonRegistration } from '../../../backend/backend';
import { PY_TRUNCATED, PyStackError } from '../../../decode/layout';
import type { PyStackSnapshot } from '../../../decode/pystack';
import { sourceFrame } from '../../../model/source-frame';
import type { Frame, LensEvent } from '../../../protocol';
import { pythonFrame } from '../py-reports';
import { locate, readCode, type CodeInfo } from './py-code';
import type { PyLayout } from './py-layouts';
import { inspectPython, type PyRuntime } from './py-runtime';

/** A process that starts linked with libpython is looked at again on its events, this often at most. */
const RETRY_MS = 2;
/** ... and this many times. */
const RETRIES_MAX = 200;

/** One attached process (or a descendant of one). */
interface Attached {
  mem: ProcessMemory;
  /** its registration with the probe (inherited at fork); undefined: not registered */
  cookie?: number;
  runtime?: PyRuntime;
  /** why its frames cannot be read (an unsupported Python) */
  unsupported?: string;
  /** not Python yet, but linked with libpython: look again */
  waiting: number;
  lastLook: number;
  codes: Map<number, CodeInfo>;
  /** the process it was forked from (its memory holds the code objects made before the fork) */
  parent?: number;
}

/** Registers attached Python processes with the probe and turns the kernel's frame chains into frames. */
export class PythonAttach {
  private nextCookie = 1;
  private readonly procs = new Map<number, Attached>();

  constructor(
    private readonly layouts: readonly PyLayout[],
    private readonly register: (reg: PythonRegistration) => void,
    private readonly host: HostFacts,
  ) {}

  /** An attached process and its descendants now: the Python ones are registered. */
  attach(pid: number): void {
    const children = new Map<number, number[]>();
    for (const c of this.host.pids()) {
      const ppid = this.host.process(c)?.ppid;
      if (ppid !== undefined && ppid !== c) children.set(ppid, [...children.get(ppid) ?? [], c]);
    }
    const queue = [pid];
    while (queue.length) {
      const p = queue.shift()!;
      this.look(p, this.fresh(p));
      for (const c of children.get(p) ?? []) if (!this.procs.has(c)) queue.push(c);
    }
  }

  private fresh(pid: number, parent?: number): Attached {
    const a: Attached = { mem: this.host.memory(pid), waiting: 0, lastLook: 0, codes: new Map(), parent };
    this.procs.get(pid)?.mem.close();
    this.procs.set(pid, a);
    return a;
  }

  /** Looks at what a process runs now; registers it when it is Python. */
  private look(pid: number, a: Attached): void {
    a.lastLook = Date.now();
    const r = inspectPython(this.host, pid, a.mem, this.layouts);
    if ('python' in r) {
      a.runtime = r.python;
      a.cookie = this.nextCookie++;
      if (this.nextCookie > 0xffffffff) this.nextCookie = 1;
      this.register({ pid, cookie: a.cookie, head: r.python.head, offsets: r.python.offsets });
      a.waiting = 0;
    } else if ('unsupported' in r) {
      a.unsupported = r.unsupported;
      a.waiting = 0;
    } else {
      a.waiting = r.wait ? RETRIES_MAX : 0;
    }
  }

  /**
   * One event, in stream order: follows forks, execs and exits, and gives an event of an attached
   * Python process its Python frames. Native frames still coming (`pending`) go first.
   */
  event(e: LensEvent, py: PyStackSnapshot | undefined, pending?: Promise<void>): Promise<void> | undefined {
    const a = this.procs.get(e.pid);
    if (!a) return undefined;
    let later: Promise<void> | undefined;
    if (py) later = this.frames(e, a, py, pending);
    else if (a.cookie !== undefined && kindsWithFrames.has(e.kind) && !e.frames && !e.stack_error) {
      e.stack_error = 'no Python stack: this event came before the probe had the process registered for Python frames';
    } else if (a.unsupported && kindsWithFrames.has(e.kind) && !e.frames && !e.stack_error) {
      e.stack_error = `no Python stack: ${a.unsupported}`;
    }
    if (e.kind === 'fork' && !e.thread) {
      const c = this.fresh(e.child_pid, e.pid);
      c.cookie = a.cookie; c.runtime = a.runtime; c.unsupported = a.unsupported; c.waiting = a.waiting;
    } else if (e.kind === 'exec' && e.ret === 0) {
      const n = this.fresh(e.pid, a.parent);
      this.look(e.pid, n);
    } else if (e.kind === 'exit') { // one per process, from whichever thread ended last
      a.mem.close();
      this.procs.delete(e.pid);
    } else if (a.waiting && Date.now() - a.lastLook >= RETRY_MS) {
      a.waiting--;
      this.look(e.pid, a);
    }
    return later;
  }

  private frames(e: LensEvent, a: Attached, py: PyStackSnapshot, pending: Promise<void> | undefined): Promise<void> | undefined {
    const frames: Frame[] = [];
    let why: string | undefined;
    if (py.cookie !== a.cookie || !a.runtime) {
      why = 'its frames were read with a registration from before the process\'s exec';
    } else {
      // a successful exec's frames are its caller's: in the parent's memory (vfork, or before the fork)
      const sources = e.kind === 'exec' && e.ret === 0 ? [this.procs.get(a.parent ?? -1), a] : [a, this.procs.get(a.parent ?? -1)];
      for (let i = 0; i < py.codes.length; i++) {
        const f = this.frame(sources, a.runtime, py.codes[i], py.instrs[i]);
        if (typeof f === 'string') { why = f; break; }
        if (f) frames.push(f);
      }
      if (!frames.length && !why) why = py.error === PyStackError.NO_THREAD ? 'this thread has no Python thread state (it runs no Python code, or the interpreter has not started)' : 'the frame chain could not be read';
    }
    const truncated = (py.flags & PY_TRUNCATED) !== 0 || py.error === PyStackError.FAULT || (why !== undefined && frames.length > 0);
    const add = () => {
      if (!frames.length) {
        if (!e.frames && !e.stack_error && why) e.stack_error = `no Python stack: ${why}`;
        return;
      }
      e.frames = e.frames ? [...e.frames, ...frames] : frames;
      if (truncated) e.frames_truncated = true;
      else delete e.frames_truncated; // the native walk stopped in the interpreter, where the Python frames go on
      const source = sourceFrame(e.frames);
      if (source) e.source = source;
    };
    if (!pending) { add(); return undefined; }
    return pending.then(add, add);
  }

  /** One frame from the first process whose memory has its code object; undefined for a frame to skip; a string: why it stops. */
  private frame(sources: (Attached | undefined)[], runtime: PyRuntime, code: number, instr: number): Frame | undefined | string {
    let why = 'the frame\'s code object could not be read';
    for (const s of sources) {
      if (!s) continue;
      const info = readCode(s.mem, runtime.code, code, s.codes);
      if (typeof info === 'string') { why = info; continue; }
      const at = locate(info, instr);
      // a frame that has not started yet (its instruction is before its code): not a caller of anything
      if (!at) return instr < info.codeStart ? undefined : pythonFrame(info.file, 0, 0, info.function);
      return pythonFrame(info.file, at.line, at.column ?? 0, info.function);
    }
    return why;
  }

  close(): void {
    for (const a of this.procs.values()) a.mem.close();
    this.procs.clear();
  }
}

/** The kinds whose records carry Python frames (as stacks: exec, file, net but tcp_close, dns). */
const kindsWithFrames = new Set<string>(['exec', 'open', 'unlink', 'rmdir', 'rename', 'mkdir', 'chmod', 'chown', 'truncate', 'link', 'symlink', 'chdir', 'connect', 'accept', 'bind', 'listen', 'udp_send', 'dns']);
