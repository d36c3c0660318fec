/** Keeps the last N bytes of a text stream (the agent's stderr) for error messages. */
export class TextTail {
  private text = '';

  constructor(private readonly maxChars = 4000) {
    if (!Number.isInteger(maxChars) || maxChars <= 0) throw new RangeError(`TextTail: maxChars must be a positive integer, got ${maxChars}`);
  }

  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.maxChars) this.text = this.text.slice(this.text.length - this.maxChars);
  }

  /** The last `lines` non-empty lines. */
  lastLines(lines = 5): string {
    return this.text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(-lines).join('\n');
  }
}
