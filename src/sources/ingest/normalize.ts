import type { JsonValue, LogEvent } from '../../core/event';
import { DEFAULT_MAX_DEPTH } from '../../../operators/parse/json';
import { isoFromMillis } from '../../core/iso-time';
import { normalizeLevel } from './levels';
import { parseTimestamp } from './timestamps';

export { normalizeLevel } from './levels';
export { parseTimestamp } from './timestamps';

/** Bounds on one pushed item; see {@link normalizeEvent}. */
export interface NormalizeLimits {
  /** Most levels of nested objects/arrays, the item itself being level 1 (as the json transform's `max_depth`). */
  readonly maxDepth?: number;
  /** Longest string value or key, in UTF-16 code units. */
  readonly maxStringLength?: number;
}

/** Default of {@link NormalizeLimits.maxStringLength}: 1 Mi characters. */
export const DEFAULT_MAX_STRING_LENGTH = 1024 * 1024;

/** Either the normalised event or why the item was refused. */
export type NormalizeResult = { event: LogEvent } | { error: string };

const MESSAGE_KEYS = ['message', 'msg', 'log'] as const;
const TIMESTAMP_KEYS = ['timestamp', 'time', '@timestamp', 'ts'] as const;

const describe = (value: unknown): string => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

/** The first of `keys` that `item` holds (own property, not undefined). */
function firstKey(item: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) if (item[key] !== undefined && Object.prototype.hasOwnProperty.call(item, key)) return key;
  return undefined;
}

/**
 * Why `value` (at `depth`) breaks the limits or is not JSON, or undefined when it is fine.
 * Recursion stops at `maxDepth`, so a hostile item cannot overflow the stack here either.
 */
function checkValue(value: unknown, depth: number, maxDepth: number, maxString: number, path: string): string | undefined {
  switch (typeof value) {
    case 'string':
      return value.length > maxString ? `${path}: string of ${value.length} characters is over the limit of ${maxString}` : undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path}: ${value} is not a JSON number`;
    case 'boolean':
      return undefined;
    case 'object': {
      if (value === null) return undefined;
      if (depth >= maxDepth) return `${path}: nested deeper than ${maxDepth} levels`;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const problem = checkValue(value[i], depth + 1, maxDepth, maxString, `${path}[${i}]`);
          if (problem !== undefined) return problem;
        }
        return undefined;
      }
      for (const key of Object.keys(value)) {
        if (key.length > maxString) return `${path}: key of ${key.length} characters is over the limit of ${maxString}`;
        const problem = checkValue((value as Record<string, unknown>)[key], depth + 1, maxDepth, maxString, `${path}.${key}`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    default:
      return `${path}: ${describe(value)} is not a JSON value`;
  }
}

/**
 * Turns one pushed item (a parsed JSON object, a CSV row, a gRPC event) into a sluice event,
 * or says why it cannot be one. Shared by the HTTP and gRPC sources so both accept the same
 * items the same way.
 *
 * - The item must be an object (not an array, null or scalar).
 * - The message is the first of `message`, `msg`, `log`; it must be a string when present
 *   and ends up under `message` (an absent message is fine: structured events).
 * - The timestamp is the first of `timestamp`, `time`, `@timestamp`, `ts`, as an ISO-8601 /
 *   RFC 3339 string or epoch number (see {@link parseTimestamp}); it ends up under
 *   `timestamp` as an ISO string in UTC (millisecond precision). Absent: `receivedAtMs`.
 * - `level` is normalised (see {@link normalizeLevel}): `WARNING` → `warn`, 50 → `error`.
 * - `host` and `source` must be strings when present.
 * - Every other field is kept as it is. Strings (and keys) over `maxStringLength` and
 *   nesting deeper than `maxDepth` are errors, as are non-JSON values (NaN, functions).
 *
 * The item object itself becomes the event (no copy): the caller hands over a freshly
 * parsed object it does not use again. On an error the item is left unchanged.
 */
export function normalizeEvent(input: unknown, receivedAtMs: number, limits: NormalizeLimits = {}): NormalizeResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { error: `expected a JSON object, got ${describe(input)}` };
  }
  const item = input as Record<string, unknown>;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxString = limits.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH;

  const messageKey = firstKey(item, MESSAGE_KEYS);
  const message = messageKey === undefined ? undefined : item[messageKey];
  if (messageKey !== undefined && typeof message !== 'string') return { error: `${messageKey} must be a string, got ${describe(message)}` };

  const timeKey = firstKey(item, TIMESTAMP_KEYS);
  let timestamp: string;
  if (timeKey === undefined) timestamp = isoFromMillis(receivedAtMs);
  else {
    const parsed = parseTimestamp(item[timeKey]);
    if ('error' in parsed) return { error: `${timeKey}: ${parsed.error}` };
    timestamp = parsed.iso;
  }

  let level: string | undefined;
  if (item.level !== undefined) {
    const normalized = normalizeLevel(item.level);
    if ('error' in normalized) return { error: `level: ${normalized.error}` };
    level = normalized.level;
  }
  for (const key of ['host', 'source'] as const) {
    if (item[key] !== undefined && typeof item[key] !== 'string') return { error: `${key} must be a string, got ${describe(item[key])}` };
  }
  const problem = checkValue(item, 0, maxDepth, maxString, '$');
  if (problem !== undefined) return { error: problem };

  // Valid: rewrite the well-known keys in place (the aliases move to their canonical key).
  if (messageKey !== undefined && messageKey !== 'message') {
    delete item[messageKey];
    item.message = message;
  }
  if (timeKey !== undefined && timeKey !== 'timestamp') delete item[timeKey];
  item.timestamp = timestamp;
  if (level !== undefined) item.level = level;
  return { event: item as LogEvent & Record<string, JsonValue> };
}
