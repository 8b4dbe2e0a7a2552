import type { LogEvent } from '../../../../src/core/event';
import type { Framer, FramerFactory } from '../../../../src/sources/framing';

/** What a framer made of some chunks: messages, their start offsets, the errors it counted. */
export interface Framed {
  readonly messages: string[];
  readonly starts: number[];
  readonly errors: string[];
  /** `consumed` after each chunk. */
  readonly consumed: number[];
  readonly framer: Framer;
}

/** Feeds `chunks` to a fresh framer from `factory`, then ends it (unless `end` is false). */
export function frame(factory: FramerFactory, chunks: Array<string | Buffer>, end = true): Framed {
  const errors: string[] = [];
  const framer = factory((type) => errors.push(type));
  const events: LogEvent[] = [];
  const starts: number[] = [];
  const consumed: number[] = [];
  for (const chunk of chunks) {
    framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, 't', events, starts);
    consumed.push(framer.consumed);
  }
  if (end) framer.end('t', events, starts);
  return { messages: events.map((event) => String(event.message)), starts, errors, consumed, framer };
}

/** `input` cut at the given byte positions. */
export function cut(input: Buffer, at: readonly number[]): Buffer[] {
  const points = [...new Set(at)].filter((p) => p > 0 && p < input.length).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of [...points, input.length]) {
    pieces.push(input.subarray(from, point));
    from = point;
  }
  return pieces;
}
