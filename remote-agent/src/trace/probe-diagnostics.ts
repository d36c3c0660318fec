/*
 * The probe's diagnostic text (stderr), line by line, without repeating what
 * its ERROR packets already said: those arrive on the other pipe, so a line
 * waits a moment before it is shown.
 */

/** How long a diagnostic line waits for the ERROR packet it may repeat. */
const REPEAT_WINDOW_MS = 100;

/** Lines of the probe's stderr, minus those that repeat an ERROR packet. */
export class ProbeDiagnostics {
  private tailText = '';
  private readonly lines: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** messages of ERROR packets (a line containing one is not shown) */
  private readonly reported: string[] = [];

  constructor(private readonly show: (line: string) => void) {}

  /** An ERROR packet's message: a stderr line repeating it is not shown. */
  reportedByPacket(message: string): void {
    if (message) this.reported.push(message);
  }

  push(chunk: Buffer): void {
    this.tailText = (this.tailText + chunk.toString('utf8')).slice(-4000);
    const lines = this.tailText.split('\n');
    this.tailText = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) this.lines.push(l);
    if (this.lines.length && !this.timer) this.timer = setTimeout(() => this.flush(), REPEAT_WINDOW_MS);
  }

  /** Shows the lines waiting. */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    for (const l of this.lines.splice(0)) {
      if (!this.reported.some((m) => l.includes(m))) this.show(`lens-probe: ${l.replace(/^lens-probe: /, '')}`);
    }
  }

  /** The last line, not ended by a newline (the probe died mid-line) */
  get tail(): string {
    return this.tailText;
  }
}
