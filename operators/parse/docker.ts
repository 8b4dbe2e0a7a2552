import { pipe, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { JsonObject, LogEvent } from '../../src/core/event';
import { addTag, compilePath, getField, setField } from '../../src/core/field-path';
import { mapEvents } from '../map-events';
import { DEFAULT_MAX_DEPTH, nestedDeeperThan, type ParseHooks } from './json';
import { reassemblePartials, type ReassembleOptions } from './cri-reassemble';

/** Options of {@link parseDocker}. */
export interface ParseDockerOptions extends ReassembleOptions {
  /** Dotted path of the Docker JSON log line; default `message`. */
  readonly field?: string;
  /** Added to `tags` of lines that are not Docker JSON log lines; default `docker_parse_error`. */
  readonly errorTag?: string;
}

/** A Docker `json-file` log line's parts, or why it is not one. */
export type DockerLine = { readonly timestamp?: string; readonly stream?: string; readonly partial: boolean; readonly log: string; readonly attrs?: JsonObject } | { readonly error: string };

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads one line of Docker's `json-file` log driver: `{"log":"text\n","stream":"stdout",
 * "time":"2024-…Z"}` (plus `attrs` when labels or env are logged). Docker splits lines
 * longer than 16 KiB; every piece but the last lacks the trailing newline, which is how a
 * piece is told from a full line. The newline (and a `\r` before it) is not part of the
 * message. Total: malformed JSON or a missing `log` is an error, never a throw.
 */
export function splitDockerLine(line: string): DockerLine {
  const start = line.indexOf('{');
  if (start === -1 || line.slice(0, start).trim() !== '') return { error: 'not a JSON object' };
  // `attrs` is kept: a hostile line nested deep enough to overflow a later stage fails here.
  if (nestedDeeperThan(line, DEFAULT_MAX_DEPTH)) return { error: `nested deeper than ${DEFAULT_MAX_DEPTH} levels` };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (!isObject(value) || typeof value.log !== 'string') return { error: 'no "log" string' };
  const text = value.log;
  const full = text.endsWith('\n');
  const log = full ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  return {
    timestamp: typeof value.time === 'string' ? value.time : undefined,
    stream: typeof value.stream === 'string' ? value.stream : undefined,
    partial: !full,
    log,
    attrs: isObject(value.attrs) ? value.attrs : undefined,
  };
}

/**
 * Parses Docker `json-file` log lines into `timestamp`, `stream`, `message` (and `attrs`),
 * and puts lines Docker split at 16 KiB back together per stream: pieces up to the one that
 * ends with a newline become one event whose ack covers every piece. A line that is not
 * Docker JSON is kept as it was, tagged `errorTag`, and counted through `hooks.onParseError`.
 *
 * ```
 * source:  -a-b-|     a: {"log":"one ","stream":"stdout"}  b: {"log":"two\n","stream":"stdout"}
 * result:  ---B-|     B: {stream: "stdout", message: "one two"}
 * ```
 *
 * @example
 * import { parseDocker } from 'sluice';
 * const containerLines = parseDocker();
 *
 * @see parseCri
 */
export function parseDocker(options: ParseDockerOptions = {}, hooks: ParseHooks = {}): OperatorFunction<Batch, Batch> {
  const path = compilePath(options.field ?? 'message');
  const errorTag = options.errorTag ?? 'docker_parse_error';
  const onParseError = hooks.onParseError;
  const partial = new WeakSet<LogEvent>();
  const parsed = new WeakSet<LogEvent>();
  const parse = (event: LogEvent): LogEvent => {
    const raw = getField(event, path);
    const line = typeof raw === 'string' ? splitDockerLine(raw) : { error: raw === undefined ? 'field is missing' : 'field is not a string' };
    if ('error' in line) {
      addTag(event, errorTag);
      onParseError?.(event, line.error);
      return event;
    }
    if (path.length > 1 || path[0] !== 'message') setField(event, path, undefined);
    if (line.timestamp !== undefined) event.timestamp = line.timestamp;
    if (line.stream !== undefined) event.stream = line.stream;
    if (line.attrs !== undefined) event.attrs = line.attrs;
    event.message = line.log;
    parsed.add(event);
    if (line.partial) partial.add(event);
    return event;
  };
  return pipe(mapEvents(parse, hooks), reassemblePartials(partial, parsed, options));
}
