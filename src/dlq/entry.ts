import type { JsonObject, LogEvent } from '../core/event';

/**
 * One dead-lettered event: what failed, where, how often, and the event itself. On disk it
 * is one NDJSON line with the keys in this order (`time` first, so a segment's age can be
 * read from a line's first bytes without parsing it):
 *
 * ```
 * {"time":"2024-05-01T12:00:00.000Z","component":"archive","error":"writing /x failed: ENOTDIR","attempts":3,"event":{"message":"..."}}
 * ```
 */
export interface DeadLetterEntry {
  /** When the event was dead-lettered (ISO-8601). */
  readonly time: string;
  /** The id of the component whose delivery failed (the sink, or the dead_letter stage). */
  readonly component: string;
  /** The delivery error's message. */
  readonly error: string;
  /** How many delivery attempts were made (1 when no retry stage counted them). */
  readonly attempts: number;
  readonly event: LogEvent;
}

/** Where an entry's line starts: a segment number and a byte offset in it. */
export interface DlqPosition {
  readonly segment: number;
  readonly offset: number;
}

/** An entry read back, with where it sits and its size on disk. */
export interface StoredEntry {
  readonly entry: DeadLetterEntry;
  readonly position: DlqPosition;
  /** Bytes of its line, newline included. */
  readonly bytes: number;
}

/** Orders positions: negative when `a` comes first. */
export function comparePositions(a: DlqPosition, b: DlqPosition): number {
  return a.segment === b.segment ? a.offset - b.offset : a.segment - b.segment;
}

/**
 * One entry as its NDJSON line (newline included). An event that cannot be encoded as JSON
 * (a BigInt, a cycle, nesting deep enough to overflow the stack: exactly what an encoder
 * fails permanently and sends here) is kept in a lossy but safe form instead: its string
 * `message` and `timestamp`, its top-level keys and why it could not be encoded, under
 * `unencodable`. The queue must never refuse the one event it exists for.
 */
export function encodeEntry(entry: DeadLetterEntry): string {
  const { time, component, error, attempts, event } = entry;
  try {
    return `${JSON.stringify({ time, component, error, attempts, event })}\n`;
  } catch (thrown) {
    return `${JSON.stringify({ time, component, error, attempts, event: unencodableForm(event, thrown) })}\n`;
  }
}

/** What of an unencodable event can still be written: strings only, bounded. */
function unencodableForm(event: LogEvent, thrown: unknown): LogEvent {
  const reason = thrown instanceof Error ? thrown.message : String(thrown);
  const form: LogEvent = { unencodable: reason.slice(0, 200), keys: Object.keys(event).slice(0, 100).join(',') };
  if (typeof event.message === 'string') form.message = event.message;
  if (typeof event.timestamp === 'string') form.timestamp = event.timestamp;
  return form;
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses one line (without its newline) into an entry, or `undefined` when the line is not
 * a well-formed entry (hostile or corrupted input is reported, never thrown).
 */
export function decodeEntry(line: string): DeadLetterEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const { time, component, error, attempts, event } = value;
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) return undefined;
  if (typeof component !== 'string' || typeof error !== 'string') return undefined;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 0) return undefined;
  if (!isObject(event)) return undefined;
  return { time, component, error, attempts, event: event as LogEvent };
}

const TIME_PREFIX = Buffer.from('{"time":"');
const QUOTE = 0x22;

/** The `time` of a line read from its first bytes (no full parse), in ms; undefined if absent. */
export function lineTimeMs(line: Buffer): number | undefined {
  if (line.length < TIME_PREFIX.length || line.compare(TIME_PREFIX, 0, TIME_PREFIX.length, 0, TIME_PREFIX.length) !== 0) return undefined;
  const end = line.indexOf(QUOTE, TIME_PREFIX.length);
  if (end < 0 || end - TIME_PREFIX.length > 40) return undefined;
  const ms = Date.parse(line.toString('latin1', TIME_PREFIX.length, end));
  return Number.isNaN(ms) ? undefined : ms;
}
