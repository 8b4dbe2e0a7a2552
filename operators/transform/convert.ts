import { identity, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { JsonValue, LogEvent } from '../../src/core/event';
import type { EventHooks } from '../../src/core/event-hooks';
import { ConfigError } from '../../src/core/errors';
import { addTag, getField, setField, type FieldPath } from '../../src/core/field-path';
import { parseTimestamp } from '../../src/sources/ingest/timestamps';
import { mapEvents } from '../map-events';
import { configPath } from './field-paths';

/** The types {@link convertFields} converts to. */
export const CONVERT_TYPES = ['int', 'float', 'bool', 'timestamp', 'string'] as const;
export type ConvertType = (typeof CONVERT_TYPES)[number];

/** Options of {@link convertFields}. */
export interface ConvertOptions {
  /** Tag added to `tags` of an event a field of which did not convert; default `convert_error`. */
  readonly errorTag?: string;
}

/** Hooks of {@link convertFields}: `onConvertError` counts values that did not convert. */
export interface ConvertHooks extends EventHooks {
  onConvertError?(count: number): void;
}

/** A converted value, or `FAILED` when the value has no such reading. */
const FAILED = Symbol('failed');
type Converter = (value: JsonValue) => JsonValue | typeof FAILED;

const NUMBER_TEXT = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function toFloat(value: JsonValue): number | typeof FAILED {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && NUMBER_TEXT.test(value)) {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : FAILED;
  }
  return FAILED;
}

const TRUE_TEXT = new Set(['true', 't', 'yes', 'y', 'on', '1']);
const FALSE_TEXT = new Set(['false', 'f', 'no', 'n', 'off', '0']);

const CONVERTERS: Record<ConvertType, Converter> = {
  // Integers truncate toward zero (`"3.9"` → 3) and must be safe integers: beyond 2^53 a JS number is no longer exact.
  int(value) {
    const number = toFloat(value);
    if (number === FAILED) return FAILED;
    const whole = Math.trunc(number);
    return Number.isSafeInteger(whole) ? whole : FAILED;
  },
  float: toFloat,
  bool(value) {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return value === 0 ? false : value === 1 ? true : FAILED;
    if (typeof value !== 'string') return FAILED;
    const text = value.trim().toLowerCase();
    return TRUE_TEXT.has(text) ? true : FALSE_TEXT.has(text) ? false : FAILED;
  },
  // The same reading of timestamps as the ingest sources: RFC 3339 / ISO 8601, or epoch numbers by magnitude.
  timestamp(value) {
    const parsed = parseTimestamp(value);
    return 'iso' in parsed ? parsed.iso : FAILED;
  },
  string(value) {
    if (typeof value === 'string') return value;
    return value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
  },
};

/**
 * Converts fields to `int`, `float`, `bool`, `timestamp` (an ISO string in UTC) or `string`.
 * A value with no such reading (`"abc"` as an int) is left as it was, the event is tagged
 * (`errorTag`) and `hooks.onConvertError` counts it: bad data never crashes the stage or
 * loses the event. Absent fields are skipped.
 *
 * ```
 * source:  --a--|      a: { status: "200", ok: "yes" }    (fields: { status: int, ok: bool })
 * result:  --A--|      A: { status: 200, ok: true }
 * ```
 *
 * @example
 * import { convertFields } from 'sluice';
 * const typed = convertFields({ 'http.status': 'int', duration_ms: 'float', at: 'timestamp' });
 *
 * @see mapEvents
 */
export function convertFields(fields: Readonly<Record<string, ConvertType>>, options: ConvertOptions = {}, hooks: ConvertHooks = {}): OperatorFunction<Batch, Batch> {
  const paths: FieldPath[] = [];
  const converters: Converter[] = [];
  for (const [field, type] of Object.entries(fields)) {
    paths.push(configPath(field, `fields.${field}`));
    if (!Object.hasOwn(CONVERTERS, type)) throw new ConfigError(`fields.${field}: unknown type ${JSON.stringify(type)}; expected one of ${CONVERT_TYPES.join(', ')}`, { path: `fields.${field}` });
    converters.push(CONVERTERS[type]);
  }
  if (paths.length === 0) return identity;
  const errorTag = options.errorTag ?? 'convert_error';
  const onConvertError = hooks.onConvertError;
  return mapEvents((event: LogEvent) => {
    let failures = 0;
    for (let i = 0; i < paths.length; i++) {
      const value = getField(event, paths[i]);
      if (value === undefined) continue;
      const converted = converters[i](value);
      if (converted === FAILED) failures++;
      else if (converted !== value) setField(event, paths[i], converted);
    }
    if (failures > 0) {
      addTag(event, errorTag);
      onConvertError?.(failures);
    }
    return event;
  }, hooks);
}
