import { pipe, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { JsonObject, JsonValue, LogEvent } from '../../src/core/event';
import { addTag, compilePath, getField, setField, type FieldPath } from '../../src/core/field-path';
import { filterEvents } from '../filter-events';
import { mapEvents } from '../map-events';
import type { ParseHooks } from './json';
import { compileRegex, type CompiledPattern } from './regex-source';

export { compileRegex, type CaptureField, type CompiledPattern } from './regex-source';

/** What happens to an event none of the patterns matched. */
export type OnFailure = 'keep' | 'tag' | 'drop';

/** Options shared by {@link parseRegex} and the grok parser built on {@link parsePatterns}. */
export interface PatternParseOptions {
  /** Dotted path of the string to match; default `message`. */
  readonly field?: string;
  /** Dotted path to put the captured fields under; default: the event root. */
  readonly target?: string;
  /** `first` (default): the first pattern that matches wins. `all`: every matching pattern adds its fields, later ones replacing earlier ones. */
  readonly mode?: 'first' | 'all';
  /** `tag` (default): keep the event and add `errorTag`; `keep`: keep it unchanged; `drop`: remove it (counted through `onDiscard`). */
  readonly onFailure?: OnFailure;
  /** Added to `tags` when `onFailure` is `tag`; default `regex_parse_error`. */
  readonly errorTag?: string;
  /** Remove the matched field once parsed (default false: the raw line stays beside its fields). A capture of the same name still lands. */
  readonly dropField?: boolean;
  /** Longest value matched, in characters; a longer one is a failure without running any regex (default 65536): bounds the cost of one hostile line. */
  readonly maxLength?: number;
}

/** Options of {@link parseRegex}. */
export interface ParseRegexOptions extends PatternParseOptions {
  /** JavaScript regular expressions tried in order; each named group (`(?<status:int>\d+)`, dotted names allowed) becomes a field. */
  readonly patterns: readonly string[];
}

/** Default of {@link PatternParseOptions.maxLength}. */
export const DEFAULT_MAX_LENGTH = 65_536;

/** Returned by the projection for an event `drop` removes; never reaches a sink. */
const DROPPED: LogEvent = Object.freeze({}) as LogEvent;
const notDropped = (event: LogEvent): boolean => event !== DROPPED;

/** A capture's text as its field value: `int` and `float` hints convert, keeping the text when it is no number. */
function convert(text: string, hint: 'int' | 'float' | undefined): JsonValue {
  if (hint === undefined) return text;
  const value = hint === 'int' ? parseInt(text, 10) : Number(text);
  return Number.isFinite(value) && text.length > 0 ? value : text;
}

/** Writes the groups of `match` that took part into `into` (the event or the target object). */
function assign(into: LogEvent | JsonObject, pattern: CompiledPattern, match: RegExpExecArray): void {
  const fields = pattern.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    const text = match[field.index];
    if (text === undefined) continue; // an optional group that did not take part: no field
    if (field.top !== undefined) into[field.top] = convert(text, field.convert);
    else setField(into, field.path, convert(text, field.convert));
  }
}

/**
 * Matches `field` against compiled patterns and writes their captures into the event (or
 * under `target`): the shared body of `regex` and `grok`. One `exec` per pattern tried and
 * no other allocation than its match array (and the target object, when there is one).
 * Unmatched events follow `onFailure` and are reported through `hooks.onParseError`.
 *
 * ```
 * source:  --a--b--|     a: {message: "GET /x"}   b: {message: "?"}
 * result:  --A--B--|     A: a + {verb: "GET", path: "/x"}   B: b + tags ["regex_parse_error"]
 * ```
 *
 * @see parseRegex
 * @see mapEvents
 */
export function parsePatterns(patterns: readonly CompiledPattern[], options: PatternParseOptions = {}, hooks: ParseHooks = {}): OperatorFunction<Batch, Batch> {
  if (patterns.length === 0) throw new RangeError('at least one pattern is required');
  const field: FieldPath = compilePath(options.field ?? 'message');
  const topLevel = field.length === 1 ? field[0] : undefined;
  const target = options.target === undefined ? undefined : compilePath(options.target);
  const all = options.mode === 'all';
  const onFailure = options.onFailure ?? 'tag';
  const errorTag = options.errorTag ?? 'regex_parse_error';
  const dropField = options.dropField === true;
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const onParseError = hooks.onParseError;

  const fail = (event: LogEvent, reason: string): LogEvent => {
    if (onFailure === 'tag') addTag(event, errorTag);
    onParseError?.(event, reason);
    return onFailure === 'drop' ? DROPPED : event;
  };

  const project = (event: LogEvent): LogEvent => {
    const raw = topLevel !== undefined ? event[topLevel] : getField(event, field);
    if (typeof raw !== 'string') return fail(event, raw === undefined ? 'field is missing' : 'field is not a string');
    if (raw.length > maxLength) return fail(event, `longer than ${maxLength} characters`);
    let into: LogEvent | JsonObject | undefined;
    for (let p = 0; p < patterns.length; p++) {
      const match = patterns[p].regex.exec(raw);
      if (match === null) continue;
      if (into === undefined) {
        if (dropField) {
          if (topLevel !== undefined) event[topLevel] = undefined;
          else setField(event, field, undefined);
        }
        into = target === undefined ? event : {};
      }
      assign(into, patterns[p], match);
      if (!all) break;
    }
    if (into === undefined) return fail(event, 'no pattern matched');
    if (target !== undefined) setField(event, target, into as JsonObject);
    return event;
  };

  const parse = mapEvents(project, hooks);
  return onFailure === 'drop' ? pipe(parse, filterEvents(notDropped, hooks)) : parse;
}

/**
 * Parses a field with JavaScript regular expressions whose named groups become fields:
 * `(?<status:int>\d{3})` puts the number 404 in `status`, `(?<http.verb>\w+)` a nested field.
 * Patterns are compiled once, here; an invalid one throws a `ConfigError` naming its
 * position. See {@link parsePatterns} for matching, `mode` and `onFailure`.
 *
 * @example
 * import { parseRegex } from 'sluice';
 * const parsed = parseRegex({ patterns: ['^(?<verb>[A-Z]+) (?<path>\\S+)$'], onFailure: 'drop' });
 *
 * @see parseGrok
 */
export function parseRegex(options: ParseRegexOptions, hooks: ParseHooks = {}): OperatorFunction<Batch, Batch> {
  return parsePatterns(options.patterns.map((source) => compileRegex(source)), options, hooks);
}
