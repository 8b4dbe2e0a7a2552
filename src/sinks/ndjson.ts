import type { LogEvent } from '../core/event';

/** How a sink writes events as lines. */
export type LineEncoding = 'ndjson' | 'text';

export const LINE_ENCODINGS: readonly LineEncoding[] = ['ndjson', 'text'];

/**
 * One event as one line, newline included. `text` writes the message only; an event with
 * no string message falls back to its JSON form, so nothing is written as an empty line.
 * Events are JSON-compatible by contract and metadata sits under a symbol, so
 * `JSON.stringify` neither throws nor ships it.
 */
export function encodeLine(event: LogEvent, encoding: LineEncoding): string {
  if (encoding === 'text') {
    const message = event.message;
    if (typeof message === 'string') return message + '\n';
  }
  return JSON.stringify(event) + '\n';
}

/** Events as one string of lines: one write per batch instead of one per event. */
export function encodeLines(events: readonly LogEvent[], encoding: LineEncoding): string {
  let out = '';
  for (let i = 0; i < events.length; i++) out += encodeLine(events[i], encoding);
  return out;
}
