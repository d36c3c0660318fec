/*
 * The ProbeControl methods that are one stdin command each (events.h's commands,
 * encoded by decode/commands.ts); a probe handle says only how a command reaches its probe.
 */
import type { ProbeCommand } from '../decode/commands';
import type { PythonRegistration } from './backend';

export abstract class CommandedProbe {
  /** hands one command to the probe (its stdin, locally or over the link) */
  protected abstract command(cmd: ProbeCommand): void;

  addPid(pid: number): void { this.command({ op: 'add', pid }); }
  removePid(pid: number): void { this.command({ op: 'remove', pid }); }
  registerPython(reg: PythonRegistration): void { this.command({ op: 'python', ...reg }); }
  requestStats(): void { this.command({ op: 'stats' }); }
  stop(): void { this.command({ op: 'stop' }); }
}
