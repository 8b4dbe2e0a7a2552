import type { JsonValue, LogEvent } from '../../core/event';
import { nestedDeeperThan } from '../../../operators/parse/json';
import { normalizeEvent, type NormalizeLimits } from '../ingest/normalize';
import { DEFAULT_MAX_DEPTH } from '../../../operators/parse/json';

/** A protobufjs 64-bit integer: a `Long` (or a number when the value was set as one). */
export interface Int64 {
  toNumber(): number;
}
export type WireInt64 = number | Int64;

/** sluice.ingest.v1.FieldValue as protobufjs decodes it (`kind` names the member set). */
export interface WireFieldValue {
  readonly kind?: 'string_value' | 'int_value' | 'double_value' | 'bool_value' | 'json_value';
  readonly string_value?: string;
  readonly int_value?: WireInt64;
  readonly double_value?: number;
  readonly bool_value?: boolean;
  readonly json_value?: Uint8Array;
}

/** sluice.ingest.v1.Event as protobufjs decodes it: unset scalars read as their defaults. */
export interface WireEvent {
  readonly message: string;
  readonly time?: 'timestamp' | 'timestamp_unix_nano';
  readonly timestamp?: { readonly seconds: WireInt64; readonly nanos: number } | null;
  readonly timestamp_unix_nano?: WireInt64;
  readonly level: string;
  readonly host: string;
  readonly source: string;
  readonly fields_json: Uint8Array;
  readonly fields: Readonly<Record<string, WireFieldValue>>;
}

/** sluice.ingest.v1.ItemError. */
export interface ItemError {
  index: number;
  reason: string;
  retryable: boolean;
}

/** The events of a request that passed validation, and the rest by index. */
export interface DecodedEvents {
  /** The valid events, in request order. */
  readonly events: LogEvent[];
  /** `indices[i]` is the request index of `events[i]`. */
  readonly indices: number[];
  readonly rejected: ItemError[];
}

/** Epoch numbers normalizeEvent reads as milliseconds (see epochToMillis): 1e11 ms is 1973-03-03, 1e14 ms the year 5138. */
const EPOCH_MS_FROM = 1e11;
const EPOCH_MS_BELOW = 1e14;

export const toNumber = (value: WireInt64 | undefined): number => (value === undefined ? 0 : typeof value === 'number' ? value : value.toNumber());

const utf8 = (bytes: Uint8Array): string => (Buffer.isBuffer(bytes) ? bytes.toString('utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));

/** JSON text within the depth bound, parsed; or why not. The depth check runs first, so a hostile nesting is never parsed. */
export function parseBoundedJson(bytes: Uint8Array, maxDepth: number, what: string): { value: JsonValue } | { error: string } {
  const text = utf8(bytes);
  if (nestedDeeperThan(text, maxDepth)) return { error: `${what}: nested deeper than ${maxDepth} levels` };
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { error: `${what}: not valid JSON (${(error as Error).message})` };
  }
}

/** One typed field value as JSON; an int64 past 2^53 is kept exactly, as a decimal string. */
function fieldValue(value: WireFieldValue, key: string, maxDepth: number): { value: JsonValue } | { error: string } {
  switch (value.kind) {
    case 'string_value':
      return { value: value.string_value ?? '' };
    case 'int_value': {
      const long = value.int_value ?? 0;
      const number = toNumber(long);
      return { value: Number.isSafeInteger(number) ? number : String(long) };
    }
    case 'double_value':
      return { value: value.double_value ?? 0 };
    case 'bool_value':
      return { value: value.bool_value ?? false };
    case 'json_value':
      return parseBoundedJson(value.json_value ?? new Uint8Array(0), maxDepth - 1, `fields.${key}`);
    default:
      return { value: null };
  }
}

/** Epoch ms of the event's time, or undefined when it has none. */
function eventTimeMs(event: WireEvent): number | undefined {
  if (event.time === 'timestamp' && event.timestamp) return toNumber(event.timestamp.seconds) * 1000 + Math.floor(event.timestamp.nanos / 1e6);
  if (event.time === 'timestamp_unix_nano') return Math.floor(toNumber(event.timestamp_unix_nano) / 1e6);
  return undefined;
}

/** The item {@link normalizeEvent} validates: fields_json, then the typed map, then the well-known fields over both. */
function toItem(event: WireEvent, maxDepth: number): { item: Record<string, JsonValue> } | { error: string } {
  let item: Record<string, JsonValue>;
  if (event.fields_json.length > 0) {
    const parsed = parseBoundedJson(event.fields_json, maxDepth, 'fields_json');
    if ('error' in parsed) return parsed;
    const value = parsed.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: `fields_json must hold a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
    item = value;
  } else item = {};
  for (const key of Object.keys(event.fields)) {
    const converted = fieldValue(event.fields[key] as WireFieldValue, key, maxDepth);
    if ('error' in converted) return converted;
    item[key] = converted.value;
  }
  // proto3 cannot tell an empty string from an absent one: empty means "not given".
  if (event.message !== '') item.message = event.message;
  const timeMs = eventTimeMs(event);
  if (timeMs !== undefined) {
    if (!Number.isFinite(timeMs) || Math.abs(timeMs) > 8.64e15) return { error: 'timestamp: out of the representable range' };
    // Epoch ms in the range normalizeEvent reads as ms (1973..5138) go as a number: one
    // toISOString there instead of formatting here and parsing the string back.
    item.timestamp = timeMs >= EPOCH_MS_FROM && timeMs < EPOCH_MS_BELOW ? timeMs : new Date(timeMs).toISOString();
  }
  if (event.level !== '') item.level = event.level;
  if (event.host !== '') item.host = event.host;
  if (event.source !== '') item.source = event.source;
  return { item };
}

/**
 * Turns the events of one Push or Stream request into sluice events, each validated and
 * normalised as the HTTP source does (`normalizeEvent`): an invalid event is named by its
 * index with the reason, never retryable, and the rest of the request goes on.
 */
export function decodeIngestEvents(wire: readonly WireEvent[], receivedAtMs: number, limits: NormalizeLimits): DecodedEvents {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const events: LogEvent[] = [];
  const indices: number[] = [];
  const rejected: ItemError[] = [];
  for (let index = 0; index < wire.length; index++) {
    const built = toItem(wire[index] as WireEvent, maxDepth);
    const result = 'error' in built ? built : normalizeEvent(built.item, receivedAtMs, limits);
    if ('error' in result) rejected.push({ index, reason: result.error, retryable: false });
    else {
      events.push(result.event);
      indices.push(index);
    }
  }
  return { events, indices, rejected };
}
