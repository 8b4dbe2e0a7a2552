import type { OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { JsonObject, LogEvent } from '../../src/core/event';
import { addTag, compilePath, getField, setField } from '../../src/core/field-path';
import { mapEvents } from '../map-events';
import type { ParseHooks } from './json';
import { LOGFMT, splitKeyValue, type KeyValueSyntax } from './kv-split';

/** Options of {@link parseKeyValue}. */
export interface ParseKeyValueOptions extends Partial<KeyValueSyntax> {
  /** Dotted path of the text to parse; default `message`. */
  readonly field?: string;
  /** Dotted path to put the pairs under; default: merge them into the event root. */
  readonly target?: string;
  /** Remove the raw field once parsed; default true (as `json`): a pair of the same name still lands. */
  readonly dropField?: boolean;
  /** Added to `tags` of events whose field holds no pair; default `kv_parse_error`. */
  readonly errorTag?: string;
}

/** Puts `pairs` into the event root (pairs win), `__proto__` included as a plain field. */
function mergeInto(event: LogEvent, pairs: JsonObject): void {
  for (const key of Object.keys(pairs)) {
    if (key === '__proto__') Object.defineProperty(event, key, { value: pairs[key], enumerable: true, writable: true, configurable: true });
    else event[key] = pairs[key];
  }
}

/**
 * Parses `key=value` text (logfmt by default: `level=info msg="user created" id=42`) from
 * `field` into fields of the event, or under `target`. Separators and quotes are
 * configurable (`a:1;b:2`); values stay strings, bare keys become `true`. Works on any
 * string field ("kv from a field"). An event whose field holds no pair, or is not a string,
 * is kept unchanged but for `errorTag` in its `tags`, and `hooks.onParseError` counts it.
 *
 * ```
 * source:  --a--b--|     a: {message: 'level=warn msg="disk full"'}   b: {message: "plain"}
 * result:  --A--B--|     A: {level: "warn", msg: "disk full"}          B: b + tags ["kv_parse_error"]
 * ```
 *
 * @example
 * import { parseKeyValue } from 'sluice';
 * const query = parseKeyValue({ field: 'url.query', target: 'params', fieldSeparator: '&' });
 *
 * @see parseJson
 */
export function parseKeyValue(options: ParseKeyValueOptions = {}, hooks: ParseHooks = {}): OperatorFunction<Batch, Batch> {
  const syntax: KeyValueSyntax = {
    fieldSeparator: options.fieldSeparator ?? LOGFMT.fieldSeparator,
    valueSeparator: options.valueSeparator ?? LOGFMT.valueSeparator,
    quotes: options.quotes ?? LOGFMT.quotes,
    maxPairs: options.maxPairs ?? LOGFMT.maxPairs,
  };
  if (syntax.fieldSeparator === '' || syntax.valueSeparator === '') throw new RangeError('parseKeyValue: separators must not be empty');
  if (syntax.fieldSeparator === syntax.valueSeparator) throw new RangeError('parseKeyValue: the pair and value separators must differ');
  if (!(syntax.maxPairs >= 1)) throw new RangeError('parseKeyValue: maxPairs must be at least 1');
  const field = compilePath(options.field ?? 'message');
  const target = options.target === undefined ? undefined : compilePath(options.target);
  const dropField = options.dropField !== false;
  const errorTag = options.errorTag ?? 'kv_parse_error';
  const onParseError = hooks.onParseError;

  const fail = (event: LogEvent, reason: string): LogEvent => {
    addTag(event, errorTag);
    onParseError?.(event, reason);
    return event;
  };

  return mapEvents((event) => {
    const raw = getField(event, field);
    if (typeof raw !== 'string') return fail(event, raw === undefined ? 'field is missing' : 'field is not a string');
    const pairs = splitKeyValue(raw, syntax);
    if (pairs === undefined) return fail(event, 'no key=value pair');
    if (dropField) setField(event, field, undefined);
    if (target !== undefined) setField(event, target, pairs);
    else mergeInto(event, pairs);
    return event;
  }, hooks);
}
