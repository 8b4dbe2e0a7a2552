import { normalizeLevel } from '../sources/ingest/levels';
import { epochToMillis, parseTimestamp } from '../sources/ingest/timestamps';
import type { WireEvent, WireTimestamp } from './proto';

/** One log event as a service hands it to the client. Every key is optional. */
export interface IngestEvent {
  /** The log line or message text. */
  readonly message?: string;
  /**
   * When it happened: a Date; an epoch number whose unit is told by its size (seconds,
   * milliseconds as `Date.now()` gives, micro- or nanoseconds); or an RFC 3339 / ISO 8601
   * string. Absent: sluice stamps it on receipt. Sluice keeps millisecond precision.
   */
  readonly timestamp?: Date | number | string;
  /** A level name (`warn`, `WARNING`, `err`: sluice normalises synonyms), a syslog severity 0-7 or a pino level 10-60. */
  readonly level?: string | number;
  /** The host that produced the event. */
  readonly host?: string;
  /** The producing service, file or logger name. */
  readonly source?: string;
  /** Structured fields: any JSON-serialisable object. Sent as one JSON document (`fields_json`). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** An event converted for the wire, with an estimate of its encoded size. */
export interface EncodedEvent {
  readonly wire: WireEvent;
  /** Upper estimate of the event's protobuf size in bytes (exact string lengths plus framing). */
  readonly bytes: number;
}

/** Framing of one event in a request: tags, lengths, the timestamp message. Generous on purpose. */
const EVENT_OVERHEAD_BYTES = 48;

const describe = (value: unknown): string => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

/** Epoch milliseconds as a google.protobuf.Timestamp (nanos always within 0..999 999 999). */
export function timestampFromMillis(ms: number): WireTimestamp {
  let seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return { seconds, nanos };
}

/** Epoch milliseconds of an event's timestamp, or why it is not one. */
function timestampMillis(value: unknown): number | string {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isFinite(ms) ? ms : 'timestamp: an invalid Date';
  }
  if (typeof value === 'number') {
    const ms = epochToMillis(value);
    return Number.isFinite(ms) ? ms : `timestamp: ${value} is not a finite number`;
  }
  const parsed = parseTimestamp(value);
  return 'error' in parsed ? `timestamp: ${parsed.error}` : Date.parse(parsed.iso);
}

/**
 * Converts an event for the wire, or says why it cannot be sent. Invalid events are caught
 * here, where the caller can still be told, rather than becoming a per-item rejection (or,
 * for fields that do not serialise at all, an exception deep in a send).
 */
export function encodeEvent(event: IngestEvent): EncodedEvent | { error: string } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return { error: `expected an event object, got ${describe(event)}` };
  const wire: WireEvent = {};
  let bytes = EVENT_OVERHEAD_BYTES;
  if (event.message !== undefined) {
    if (typeof event.message !== 'string') return { error: `message must be a string, got ${describe(event.message)}` };
    wire.message = event.message;
    bytes += Buffer.byteLength(event.message);
  }
  if (event.timestamp !== undefined) {
    const ms = timestampMillis(event.timestamp);
    if (typeof ms === 'string') return { error: ms };
    wire.timestamp = timestampFromMillis(ms);
  }
  if (event.level !== undefined) {
    if (typeof event.level === 'number') {
      const level = normalizeLevel(event.level);
      if ('error' in level) return { error: `level: ${level.error}` };
      wire.level = level.level;
    } else if (typeof event.level === 'string') wire.level = event.level;
    else return { error: `level must be a string or number, got ${describe(event.level)}` };
    bytes += Buffer.byteLength(wire.level);
  }
  for (const key of ['host', 'source'] as const) {
    const value = event[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') return { error: `${key} must be a string, got ${describe(value)}` };
    wire[key] = value;
    bytes += Buffer.byteLength(value);
  }
  if (event.fields !== undefined) {
    if (typeof event.fields !== 'object' || event.fields === null || Array.isArray(event.fields)) return { error: `fields must be an object, got ${describe(event.fields)}` };
    let json: string | undefined;
    try {
      json = JSON.stringify(event.fields);
    } catch (error) {
      return { error: `fields are not JSON-serialisable: ${(error as Error).message}` };
    }
    if (json === undefined || !json.startsWith('{')) return { error: 'fields do not serialise to a JSON object' };
    if (json !== '{}') {
      wire.fields_json = Buffer.from(json);
      bytes += wire.fields_json.length;
    }
  }
  return { wire, bytes };
}
