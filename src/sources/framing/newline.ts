import type { LogEvent } from '../../core/event';
import { utf8Boundary, type Framer, type FramerFactory } from './framer';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/** Options of {@link newlineFraming}. */
export interface NewlineFramingOptions {
  /** Longest line kept; longer lines are truncated to this many bytes and counted (`line_too_long`). */
  readonly maxLineBytes: number;
  /** Blank lines carry no log and are skipped unless this is false. */
  readonly skipEmptyLines?: boolean;
}

/**
 * Splits a byte stream into `{ message, timestamp }` events, one per newline-terminated line.
 * This is the hot path of every stream source (stdin, file tail, TCP), so it stays lean.
 *
 * Works on Buffers (`indexOf(10)`, no regex), decodes each complete line once as UTF-8 (a
 * newline byte never occurs inside a multi-byte character, so a character split across
 * chunks is reassembled before decoding), strips a trailing `\r`, and carries the
 * unterminated tail to the next chunk. Memory is bounded: a line longer than `maxLineBytes`
 * is emitted truncated as soon as that many bytes are held, and the rest of it is discarded
 * up to the next newline.
 *
 * @see newlineFraming
 * @see OctetCountingFramer
 */
export class LineFramer implements Framer {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private discarding = false;
  /** Bytes read so far. */
  private read = 0;
  /** Bytes of the current unterminated line (held or being discarded). */
  private pending = 0;
  /** The caller's `starts` during one push/end (a field, so the per-line calls stay short). */
  private starts: number[] | undefined;

  constructor(
    private readonly maxLineBytes: number,
    private readonly skipEmptyLines: boolean,
    private readonly onTruncated: () => void,
  ) {
    if (!(maxLineBytes >= 1)) throw new RangeError('maxLineBytes must be at least 1');
  }

  /** Input offset just past the last line framed (or discarded). */
  get consumed(): number {
    return this.read - this.pending;
  }

  /** Frames one chunk, pushing complete lines to `out` with `timestamp`. */
  push(chunk: Buffer, timestamp: string, out: LogEvent[], starts?: number[]): void {
    this.starts = starts;
    const length = chunk.length;
    const held = this.read - this.pending; // where the carried line began
    const base = this.read; // the offset of chunk[0]
    this.read += length;
    let start = 0;
    if (this.discarding || this.carryBytes > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        if (!this.discarding) this.hold(chunk, 0, held, timestamp, out);
        this.pending += length;
        return;
      }
      if (!this.discarding) {
        this.carry.push(chunk.subarray(0, newline));
        const line = Buffer.concat(this.carry, this.carryBytes + newline);
        this.carry = [];
        this.carryBytes = 0;
        this.line(line, 0, line.length, held, timestamp, out);
      }
      this.discarding = false;
      this.pending = 0;
      start = newline + 1;
    }
    let newline: number;
    while ((newline = chunk.indexOf(NEWLINE, start)) >= 0) {
      this.line(chunk, start, newline, base + start, timestamp, out);
      start = newline + 1;
    }
    if (start < length) {
      this.hold(chunk, start, base + start, timestamp, out);
      this.pending = length - start;
    }
  }

  /** Input ended or reading stopped: emits the unterminated line held, if any. */
  end(timestamp: string, out: LogEvent[], starts?: number[]): void {
    this.starts = starts;
    if (this.carryBytes > 0) {
      const line = Buffer.concat(this.carry, this.carryBytes);
      this.line(line, 0, line.length, this.read - this.pending, timestamp, out);
    }
    this.carry = [];
    this.carryBytes = 0;
    this.discarding = false;
    this.pending = 0;
  }

  /** Keeps an unterminated tail (starting at input offset `at`), or emits it truncated once it outgrows the bound. */
  private hold(chunk: Buffer, start: number, at: number, timestamp: string, out: LogEvent[]): void {
    const bytes = chunk.length - start;
    if (this.carryBytes + bytes <= this.maxLineBytes) {
      this.carry.push(start === 0 ? chunk : chunk.subarray(start));
      this.carryBytes += bytes;
      return;
    }
    this.carry.push(chunk.subarray(start));
    const line = Buffer.concat(this.carry, this.carryBytes + bytes);
    this.carry = [];
    this.carryBytes = 0;
    this.discarding = true;
    this.onTruncated();
    this.emit(line, 0, utf8Boundary(line, 0, this.maxLineBytes), at, timestamp, out);
  }

  /** One complete line `buf[start, end)` without its newline, beginning at input offset `at`. */
  private line(buf: Buffer, start: number, end: number, at: number, timestamp: string, out: LogEvent[]): void {
    let stop = end;
    if (stop > start && buf[stop - 1] === CARRIAGE_RETURN) stop--;
    if (stop - start > this.maxLineBytes) {
      this.onTruncated();
      stop = utf8Boundary(buf, start, start + this.maxLineBytes);
    }
    this.emit(buf, start, stop, at, timestamp, out);
  }

  private emit(buf: Buffer, start: number, end: number, at: number, timestamp: string, out: LogEvent[]): void {
    if (end === start && this.skipEmptyLines) return;
    out.push({ message: buf.toString('utf8', start, end), timestamp });
    if (this.starts !== undefined) this.starts.push(at);
  }
}

/**
 * Newline-delimited framing (LF or CRLF), the default of every stream source.
 *
 * @example
 * fromReadable(socket, ctx, { framing: newlineFraming({ maxLineBytes: 64 * 1024 }) });
 */
export function newlineFraming(options: NewlineFramingOptions): FramerFactory {
  const skipEmptyLines = options.skipEmptyLines !== false;
  return (count) => new LineFramer(options.maxLineBytes, skipEmptyLines, () => count('line_too_long'));
}
