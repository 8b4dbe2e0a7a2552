import { pipe, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import { addTag, compilePath, getField, setField } from '../../src/core/field-path';
import { mapEvents } from '../map-events';
import type { ParseHooks } from './json';
import { reassemblePartials, type ReassembleOptions } from './cri-reassemble';

/** Options of {@link parseCri}. */
export interface ParseCriOptions extends ReassembleOptions {
  /** Dotted path of the CRI log line; default `message`. */
  readonly field?: string;
  /** Added to `tags` of lines that are not CRI log lines; default `cri_parse_error`. */
  readonly errorTag?: string;
}

/** A CRI log line split into its parts, or why it is not one. */
export type CriLine = { readonly timestamp: string; readonly stream: string; readonly partial: boolean; readonly log: string } | { readonly error: string };

/**
 * Splits one line of the CRI log format (what containerd and CRI-O write under
 * `/var/log/pods`): `<RFC 3339 time> <stdout|stderr> <tag> <log>`, where the tag is `F`
 * (full: the line ends here) or `P` (partial: the runtime split a long line, the rest
 * follows), optionally followed by `:`-separated flags. The log may be empty. Total: it
 * returns an error for anything else, never throws.
 */
export function splitCriLine(line: string): CriLine {
  const timeEnd = line.indexOf(' ');
  if (timeEnd < 20 || line.charCodeAt(4) !== 45 /* - */ || line.charCodeAt(10) !== 84 /* T */) return { error: 'no RFC 3339 timestamp at the start' };
  const streamEnd = line.indexOf(' ', timeEnd + 1);
  if (streamEnd === -1) return { error: 'no stream after the timestamp' };
  const stream = line.slice(timeEnd + 1, streamEnd);
  if (stream !== 'stdout' && stream !== 'stderr') return { error: `stream "${stream.slice(0, 32)}" is neither stdout nor stderr` };
  let tagEnd = line.indexOf(' ', streamEnd + 1);
  if (tagEnd === -1) tagEnd = line.length; // an empty log without its separator
  const tag = line.charCodeAt(streamEnd + 1);
  const flagsOk = tagEnd === streamEnd + 2 || line.charCodeAt(streamEnd + 2) === 58; /* : */
  if ((tag !== 70 /* F */ && tag !== 80) /* P */ || !flagsOk) return { error: 'log tag is neither F nor P' };
  return { timestamp: line.slice(0, timeEnd), stream, partial: tag === 80, log: tagEnd < line.length ? line.slice(tagEnd + 1) : '' };
}

/**
 * Parses Kubernetes CRI log lines into `timestamp`, `stream` and `message`, and puts lines
 * the runtime split (tag `P`) back together: the pieces of one stream up to its `F` piece
 * become one event with the pieces' text concatenated and the first piece's timestamp; its
 * ack covers every piece. A line that is not CRI is kept as it was, tagged `errorTag`, and
 * counted through `hooks.onParseError`. Time (the flush of a partial whose rest never came)
 * comes from the scheduler.
 *
 * ```
 * source:  -a-b-c-|     a: "… stdout P one "  b: "… stdout F two"  c: "… stderr F x"
 * result:  ---B-C-|     B: {stream: "stdout", message: "one two"}  C: {stream: "stderr", message: "x"}
 * ```
 *
 * @example
 * import { parseCri } from 'sluice';
 * const containerLines = parseCri({ flushAfterMs: 1000 });
 *
 * @see parseDocker
 * @see groupLines
 */
export function parseCri(options: ParseCriOptions = {}, hooks: ParseHooks = {}): OperatorFunction<Batch, Batch> {
  const path = compilePath(options.field ?? 'message');
  const errorTag = options.errorTag ?? 'cri_parse_error';
  const onParseError = hooks.onParseError;
  const partial = new WeakSet<LogEvent>();
  const parsed = new WeakSet<LogEvent>();
  const parse = (event: LogEvent): LogEvent => {
    const raw = getField(event, path);
    const line = typeof raw === 'string' ? splitCriLine(raw) : { error: raw === undefined ? 'field is missing' : 'field is not a string' };
    if ('error' in line) {
      addTag(event, errorTag);
      onParseError?.(event, line.error);
      return event;
    }
    if (path.length > 1 || path[0] !== 'message') setField(event, path, undefined);
    event.timestamp = line.timestamp;
    event.stream = line.stream;
    event.message = line.log;
    parsed.add(event);
    if (line.partial) partial.add(event);
    return event;
  };
  return pipe(mapEvents(parse, hooks), reassemblePartials(partial, parsed, options));
}
