import type { LogEvent } from '../../core/event';
import { utf8Boundary, type Framer, type FramerFactory, type FramingErrorCounter } from './framer';

const LF = 10;
const CR = 13;
const SP = 32;
const ZERO = 48;
const NINE = 57;
/** A length prefix longer than this (≥ 10 GB) is not a length: the frame is malformed. */
const MAX_DIGITS = 10;

/** What the framer expects next. */
const enum State {
  /** The digits of `MSG-LEN` (or line ends between frames while none was seen). */
  Length,
  /** `remaining` bytes of the message. */
  Body,
  /** A malformed prefix: the bytes up to the next LF, kept as one LF-framed message. */
  Line,
}

/** Options of {@link octetCounting}. */
export interface OctetCountingOptions {
  /** Longest message kept; longer frames are truncated to this many bytes (the rest skipped) and counted (`frame_too_long`). */
  readonly maxFrameBytes: number;
}

/**
 * Frames RFC 6587 octet counting, `MSG-LEN SP MSG` back to back, as syslog over TCP/TLS
 * sends it (RFC 5425). One event per frame; the message may hold newlines.
 *
 * Hostile input never kills the connection: a frame longer than `maxFrameBytes` is cut to
 * that size on a UTF-8 boundary and the rest skipped exactly (the length says how much), so
 * framing stays in sync; a malformed prefix (not a digit, a leading zero, no space, more than
 * ten digits) is counted as `frame_malformed` and framing falls back to LF for that one
 * message, as rsyslog does, so the bytes are kept as an event and the next frame starts
 * after the next newline. LF or CRLF between frames (some senders add one) and one trailing
 * LF inside a frame are dropped. Whole frames inside a chunk are decoded straight from it;
 * only frames that cross chunks are copied, at most `maxFrameBytes + 1` bytes of them.
 *
 * @see LineFramer
 */
export class OctetCountingFramer implements Framer {
  private state = State.Length;
  private length = 0;
  private digits = 0;
  private remaining = 0;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private read = 0;
  /** Input offset where the frame being read began. */
  private frameStart = 0;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly count: FramingErrorCounter,
  ) {
    if (!(maxFrameBytes >= 1)) throw new RangeError('maxFrameBytes must be at least 1');
  }

  get consumed(): number {
    return this.state === State.Length && this.digits === 0 ? this.read : this.frameStart;
  }

  push(chunk: Buffer, timestamp: string, out: LogEvent[], starts?: number[]): void {
    const base = this.read;
    const length = chunk.length;
    this.read += length;
    let pos = 0;
    while (pos < length) {
      if (this.state === State.Body) {
        pos = this.body(chunk, pos, base, timestamp, out, starts);
      } else if (this.state === State.Line) {
        const newline = chunk.indexOf(LF, pos);
        const stop = newline < 0 ? length : newline;
        this.keep(chunk, pos, stop, this.maxFrameBytes + 1);
        pos = stop;
        if (newline >= 0) this.flush(timestamp, out, starts, base + ++pos);
      } else {
        const byte = chunk[pos++];
        if (this.digits === 0 && (byte === LF || byte === CR)) continue;
        if (this.digits === 0) this.frameStart = base + pos - 1;
        if (byte >= ZERO && byte <= NINE && this.digits < MAX_DIGITS && (byte !== ZERO || this.digits > 0)) {
          this.length = this.length * 10 + byte - ZERO;
          this.digits++;
        } else if (byte === SP && this.digits > 0) {
          this.state = State.Body;
          this.remaining = this.length;
          if (this.length > this.maxFrameBytes) this.count('frame_too_long');
        } else {
          this.count('frame_malformed');
          this.state = State.Line;
          if (this.digits > 0) this.keep(Buffer.from(String(this.length)), 0, this.digits, this.maxFrameBytes + 1);
          pos--; // the offending byte belongs to the line (it may be its LF)
        }
      }
    }
  }

  end(timestamp: string, out: LogEvent[], starts?: number[]): void {
    if (this.state !== State.Length || this.digits > 0) {
      if (this.state !== State.Line) this.count('frame_malformed'); // cut short
      if (this.carryBytes > 0) this.flush(timestamp, out, starts, this.read);
    }
    this.reset(this.read);
  }

  /** Reads message bytes from `pos`; returns the position after them. */
  private body(chunk: Buffer, pos: number, base: number, timestamp: string, out: LogEvent[], starts: number[] | undefined): number {
    const remaining = this.remaining;
    if (this.carryBytes === 0 && chunk.length - pos >= remaining && remaining <= this.maxFrameBytes) {
      this.emit(chunk, pos, pos + remaining, timestamp, out, starts);
      this.reset(base + pos + remaining);
      return pos + remaining;
    }
    const stop = Math.min(chunk.length, pos + remaining);
    this.keep(chunk, pos, stop, this.length > this.maxFrameBytes ? this.maxFrameBytes + 1 : this.maxFrameBytes);
    this.remaining -= stop - pos;
    if (this.remaining === 0) this.flush(timestamp, out, starts, base + stop);
    return stop;
  }

  /** Holds `chunk[start, stop)`, up to `limit` bytes in all; the excess is skipped. */
  private keep(chunk: Buffer, start: number, stop: number, limit: number): void {
    const end = Math.min(stop, start + limit - this.carryBytes);
    if (end <= start) return;
    this.carry.push(chunk.subarray(start, end));
    this.carryBytes += end - start;
  }

  /** Emits the held message (truncated if it outgrew the bound) and starts the next frame at `next`. */
  private flush(timestamp: string, out: LogEvent[], starts: number[] | undefined, next: number): void {
    const held = Buffer.concat(this.carry, this.carryBytes);
    let end = held.length;
    if (end > this.maxFrameBytes) {
      if (this.state === State.Line) this.count('frame_too_long');
      end = utf8Boundary(held, 0, this.maxFrameBytes);
    } else if (this.state === State.Line && end > 0 && held[end - 1] === CR) {
      end--;
    }
    this.emit(held, 0, end, timestamp, out, starts);
    this.reset(next);
  }

  private emit(buf: Buffer, start: number, end: number, timestamp: string, out: LogEvent[], starts: number[] | undefined): void {
    let stop = end;
    if (this.state === State.Body && stop > start && buf[stop - 1] === LF) stop -= stop - 1 > start && buf[stop - 2] === CR ? 2 : 1;
    out.push({ message: buf.toString('utf8', start, stop), timestamp });
    if (starts !== undefined) starts.push(this.frameStart);
  }

  private reset(next: number): void {
    this.state = State.Length;
    this.length = 0;
    this.digits = 0;
    this.remaining = 0;
    this.carry = [];
    this.carryBytes = 0;
    this.frameStart = next;
  }
}

/**
 * Octet-counted framing (RFC 6587), as syslog over TCP and TLS uses.
 *
 * @example
 * fromReadable(socket, ctx, { framing: octetCounting({ maxFrameBytes: 64 * 1024 }) });
 */
export function octetCounting(options: OctetCountingOptions): FramerFactory {
  return (count) => new OctetCountingFramer(options.maxFrameBytes, count);
}
