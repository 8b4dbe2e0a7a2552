import type { LogEvent } from '../../core/event';

/**
 * Cuts a byte stream into events. One framer serves one stream (a file, a TCP connection) and
 * keeps what it cannot frame yet (a partial line, half a length prefix) for the next chunk.
 *
 * Frames go into `out`, the batch the caller is building, so framing a chunk allocates no
 * array of its own and calls no per-event callback. When `starts` is given, the framer also
 * pushes, for each event it pushes to `out`, the input offset where that event's bytes begin:
 * decorators that hold events back (the multiline grouper) need it to keep `consumed` exact;
 * the plain adapter passes nothing and pays one `undefined` check per event.
 *
 * @see LineFramer
 * @see OctetCountingFramer
 * @see MultilineFramer
 */
export interface Framer {
  /**
   * Input offset just past everything framed or deliberately discarded: every byte before it
   * is in an event already pushed (or was skipped), none after it is. A source commits it as
   * its checkpoint once those events are acknowledged; a restart resumes framing there.
   */
  readonly consumed: number;
  /** Frames one chunk, stamping the events with `timestamp` (one receive time per chunk). */
  push(chunk: Buffer, timestamp: string, out: LogEvent[], starts?: number[]): void;
  /** The input ended or reading stops: emits whatever complete-enough frame is held. */
  end(timestamp: string, out: LogEvent[], starts?: number[]): void;
}

/**
 * Counts a framing problem by its `errors_total{error_type}` label (`line_too_long`,
 * `frame_too_long`, `frame_malformed`): bad input is counted, never thrown (DESIGN §6).
 */
export type FramingErrorCounter = (errorType: string) => void;

/**
 * Makes the framer of one stream. Sources hold a factory, not a framer, because a framer is
 * stateful and an observable may be subscribed more than once (one framer per subscription,
 * per connection, per file).
 */
export type FramerFactory = (count: FramingErrorCounter) => Framer;

/**
 * The end of a cut at most `end` that does not split a UTF-8 character: a truncated frame
 * must still decode cleanly, not end in a replacement character. `buf[end]` must exist.
 */
export function utf8Boundary(buf: Buffer, start: number, end: number): number {
  let cut = end;
  // Continuation bytes are 10xxxxxx; back up to the lead byte of the split character.
  while (cut > start && (buf[cut] & 0xc0) === 0x80) cut--;
  return cut;
}
