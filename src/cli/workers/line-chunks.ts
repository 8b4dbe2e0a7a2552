const NEWLINE = 0x0a;

/**
 * Cuts a byte stream into chunks of whole lines, so that any chunk can go to any worker
 * without splitting a line between two of them. Each `push` returns everything up to and
 * including the last newline seen so far (or nothing, when the data holds no newline yet);
 * the bytes after it wait for the next push. `end` returns the last line when the stream
 * ended without a newline. A single line longer than any chunk is held whole until its
 * newline arrives (memory bounded by the longest line).
 */
export class LineChunker {
  private carry: Buffer[] = [];
  private carried = 0;

  push(data: Buffer): Buffer | undefined {
    const last = data.lastIndexOf(NEWLINE);
    if (last < 0) {
      if (data.length > 0) this.hold(data);
      return undefined;
    }
    const head = data.subarray(0, last + 1);
    const chunk = this.carried === 0 ? head : Buffer.concat([...this.carry, head], this.carried + head.length);
    this.carry = [];
    this.carried = 0;
    // Copied: a subarray would keep the whole (up to 1 MiB) read buffer alive for a few bytes.
    if (last + 1 < data.length) this.hold(Buffer.from(data.subarray(last + 1)));
    return chunk;
  }

  /** The final line without a newline, if the stream ended with one. */
  end(): Buffer | undefined {
    if (this.carried === 0) return undefined;
    const rest = Buffer.concat(this.carry, this.carried);
    this.carry = [];
    this.carried = 0;
    return rest;
  }

  private hold(data: Buffer): void {
    this.carry.push(data);
    this.carried += data.length;
  }
}
