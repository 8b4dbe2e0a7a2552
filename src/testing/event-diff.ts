import type { JsonValue, LogEvent } from '../core/event';

/** One field that differs between an expected and an actual event. */
export interface FieldDifference {
  /** Dotted path of the field (`http.status`, `tags.1`). */
  readonly path: string;
  /** The expected value, or undefined when the field was not expected. */
  readonly expected: JsonValue | undefined;
  /** The actual value, or undefined when the field is absent. */
  readonly actual: JsonValue | undefined;
}

/** How the event at one index differs: missing, unexpected, or field by field. */
export type EventDifference =
  | { readonly index: number; readonly kind: 'missing'; readonly expected: LogEvent }
  | { readonly index: number; readonly kind: 'unexpected'; readonly actual: LogEvent }
  | { readonly index: number; readonly kind: 'fields'; readonly fields: readonly FieldDifference[] };

const isObject = (value: unknown): value is Record<string, JsonValue> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The differing leaves of two JSON values, by dotted path (objects and arrays walked). */
function compareValues(expected: JsonValue | undefined, actual: JsonValue | undefined, path: string, out: FieldDifference[]): void {
  if (isObject(expected) && isObject(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) compareValues(expected[key], actual[key], path === '' ? key : `${path}.${key}`, out);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let index = 0; index < Math.max(expected.length, actual.length); index += 1) compareValues(expected[index], actual[index], `${path}.${index}`, out);
    return;
  }
  if (expected === actual) return;
  out.push({ path, expected, actual });
}

/** Drops the fields named by dotted `paths` from a copy of `event` (volatile values a test ignores). */
export function withoutFields(event: LogEvent, paths: readonly string[]): LogEvent {
  if (paths.length === 0) return event;
  const copy = JSON.parse(JSON.stringify(event)) as Record<string, JsonValue>;
  for (const path of paths) {
    const segments = path.split('.');
    let container: JsonValue | undefined = copy;
    for (const segment of segments.slice(0, -1)) container = isObject(container) ? container[segment] : undefined;
    if (isObject(container)) delete container[segments[segments.length - 1]];
  }
  return copy as LogEvent;
}

/**
 * Compares events index by index as JSON (what a sink would ship: symbol-keyed metadata and
 * undefined fields do not count), ignoring the fields at `ignore`. Empty when they match.
 */
export function diffEvents(expected: readonly LogEvent[], actual: readonly LogEvent[], ignore: readonly string[] = []): EventDifference[] {
  const differences: EventDifference[] = [];
  for (let index = 0; index < Math.max(expected.length, actual.length); index += 1) {
    if (index >= actual.length) {
      differences.push({ index, kind: 'missing', expected: expected[index] });
      continue;
    }
    if (index >= expected.length) {
      differences.push({ index, kind: 'unexpected', actual: actual[index] });
      continue;
    }
    const fields: FieldDifference[] = [];
    const want = JSON.parse(JSON.stringify(withoutFields(expected[index], ignore))) as JsonValue;
    const got = JSON.parse(JSON.stringify(withoutFields(actual[index], ignore))) as JsonValue;
    compareValues(want, got, '', fields);
    if (fields.length > 0) differences.push({ index, kind: 'fields', fields });
  }
  return differences;
}

const show = (value: JsonValue | undefined): string => (value === undefined ? '(absent)' : JSON.stringify(value));

/**
 * The differences as indented lines: `event 1: level: expected "warn", got "info"`, one line
 * per field, naming the event by its index (from 0) and each field by its path.
 */
export function formatDifferences(differences: readonly EventDifference[], indent = '  '): string {
  const lines: string[] = [];
  for (const difference of differences) {
    if (difference.kind === 'missing') lines.push(`${indent}event ${difference.index}: missing, expected ${JSON.stringify(difference.expected)}`);
    else if (difference.kind === 'unexpected') lines.push(`${indent}event ${difference.index}: unexpected ${JSON.stringify(difference.actual)}`);
    else for (const field of difference.fields) lines.push(`${indent}event ${difference.index}: ${field.path || '(event)'}: expected ${show(field.expected)}, got ${show(field.actual)}`);
  }
  return lines.join('\n');
}
