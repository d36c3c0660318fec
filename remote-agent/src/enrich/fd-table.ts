/*
 * fd -> path per process, so syscall arguments can name the file behind an
 * fd. Filled from open results and /proc/PID/fd at attach; dup/close and
 * exec (O_CLOEXEC is unknown here, so entries are kept) keep it current.
 */

/** Per-process fd tables. Threads share their process's table (CLONE_FILES is the common case). */
export class FdTable {
  private readonly byPid = new Map<number, Map<number, string>>();

  private table(pid: number): Map<number, string> {
    let t = this.byPid.get(pid);
    if (!t) { t = new Map(); this.byPid.set(pid, t); }
    return t;
  }

  /** Replaces a process's table with what /proc showed. */
  seed(pid: number, fds: Map<number, string>): void {
    this.byPid.set(pid, new Map(fds));
  }

  /** Path (or `socket:[…]`-style description) behind fd, if known. */
  get(pid: number, fd: number): string | undefined {
    return this.byPid.get(pid)?.get(fd);
  }

  set(pid: number, fd: number, path: string): void {
    this.table(pid).set(fd, path);
  }

  close(pid: number, fd: number): void {
    this.byPid.get(pid)?.delete(fd);
  }

  /** dup/dup2/dup3/F_DUPFD: newfd refers to what oldfd refers to. */
  dup(pid: number, oldfd: number, newfd: number): void {
    const p = this.get(pid, oldfd);
    if (p === undefined) this.close(pid, newfd);
    else this.set(pid, newfd, p);
  }

  /** A forked child starts with a copy of its parent's fds. */
  fork(parentPid: number, childPid: number): void {
    const t = this.byPid.get(parentPid);
    if (t) this.byPid.set(childPid, new Map(t));
  }

  /** The process exited. */
  drop(pid: number): void {
    this.byPid.delete(pid);
  }
}
