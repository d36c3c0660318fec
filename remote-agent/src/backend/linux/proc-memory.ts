/*
 * Reads a process's memory through /proc/PID/mem: what ptrace would let
 * this user read, nothing more (the kernel checks it at open).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { ProcessMemory } from '../backend';

/** One process's memory, opened once. */
export class ProcMemory implements ProcessMemory {
  private fd: number | undefined;

  constructor(readonly pid: number, private readonly root = '/proc') {}

  /** len bytes at addr, or undefined when they cannot be read (unmapped, the process gone, no right). */
  read(addr: number, len: number): Buffer | undefined {
    try {
      this.fd ??= openSync(`${this.root}/${this.pid}/mem`, 'r');
      const b = Buffer.alloc(len);
      return readSync(this.fd, b, 0, len, addr) === len ? b : undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.fd !== undefined) try { closeSync(this.fd); } catch { /* gone */ }
    this.fd = undefined;
  }
}
