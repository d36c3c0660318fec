/*
 * The side channel from a launched target's language runtimes (Python's
 * audit hook, Node's preload) to the agent: a FIFO in a 0700 folder of its
 * own, nothing on a network port. Writers send report lines of at most
 * PIPE_BUF bytes (each lands whole) without blocking and drop (and count)
 * what does not fit; the agent reads without blocking too, so it can drain
 * the FIFO right before it stages a packet of records: a report is written
 * before its syscall, so the reports of that packet's syscalls are there.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Longer unfinished lines are dropped (writers send at most PIPE_BUF bytes). */
const MAX_LINE_BYTES = 65536;

/** The agent's end of one session's FIFO for one runtime. */
export class ReportChannel {
  private fd: number;
  private readonly buf = Buffer.allocUnsafe(65536);
  private carry: Buffer = Buffer.alloc(0);

  private constructor(readonly dir: string, readonly fifo: string) {
    this.fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  }

  /** Makes the folder (runtime-lens-<runtime>-XXXXXX) and its FIFO and opens it; throws saying what failed. */
  static open(runtime: string): ReportChannel {
    const dir = mkdtempSync(path.join(os.tmpdir(), `runtime-lens-${runtime}-`));
    const fifo = path.join(dir, 'reports');
    try {
      execFileSync('mkfifo', ['-m', '0600', fifo], { stdio: ['ignore', 'ignore', 'pipe'] });
      const channel = new ReportChannel(dir, fifo);
      enlarge(fifo);
      return channel;
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`cannot make the ${runtime} report FIFO in ${dir}: ${(e as Error).message.split('\n')[0]}`, { cause: e });
    }
  }

  /** Hands every whole line waiting in the FIFO to `line`, now. */
  drain(line: (text: string) => void): void {
    if (this.fd < 0) return;
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return;
        throw e;
      }
      if (n <= 0) return; // no writer has it open: nothing waits
      const chunk = this.carry.length ? Buffer.concat([this.carry, this.buf.subarray(0, n)]) : this.buf.subarray(0, n);
      const end = chunk.lastIndexOf(0x0a) + 1;
      // a line longer than any writer sends is not a report: dropped rather than kept growing
      this.carry = chunk.length - end > MAX_LINE_BYTES ? Buffer.alloc(0) : Buffer.from(chunk.subarray(end));
      for (const l of chunk.toString('utf8', 0, end).split('\n')) if (l) line(l);
    }
  }

  /** Closes the FIFO (writers get EPIPE and stop reporting) and removes its folder. */
  close(): void {
    if (this.fd >= 0) { closeSync(this.fd); this.fd = -1; }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** F_SETPIPE_SZ: the FIFO's buffer size, kept while the agent holds its read end. */
const F_SETPIPE_SZ = 1031;
/** Within what an unprivileged process may set (/proc/sys/fs/pipe-max-size, 1 MiB by default). */
const FIFO_BYTES = 1024 * 1024;

/**
 * Grows the FIFO from 64 KiB to 1 MiB, so a burst of reports (about 3,000 Node stacks) waits for
 * the agent instead of being dropped. Node has no fcntl: perl (perl-base is always installed on
 * Debian) opens it and sets the size; without perl the FIFO keeps its default size.
 */
function enlarge(fifo: string): void {
  try {
    execFileSync('perl', ['-e', `open(my $f, '+<', $ARGV[0]) or exit 1; fcntl($f, ${F_SETPIPE_SZ}, ${FIFO_BYTES}) or exit 1`, fifo], { stdio: 'ignore', timeout: 5000 });
  } catch { /* the default size */ }
}
