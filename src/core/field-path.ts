import type { JsonObject, JsonValue, LogEvent } from './event';

/** A dotted path split into its segments once (`'http.status'` → `['http', 'status']`). */
export type FieldPath = readonly string[];

/** Anything a path can walk: an event or a nested object. */
type Container = LogEvent | JsonObject;

const MAX_CACHED_PATHS = 4096;
const cache = new Map<string, FieldPath>();

/**
 * Splits a dotted path into segments, cached: stages compile their paths once at creation,
 * and ad-hoc lookups with the same string do not split it again. `__proto__` is refused
 * because assigning it would change an object's prototype instead of setting a field.
 * Segments are literal (no escaping): a key that itself contains a dot cannot be addressed.
 */
export function compilePath(path: string): FieldPath {
  const cached = cache.get(path);
  if (cached) return cached;
  const segments = path.split('.');
  for (const segment of segments) {
    if (segment === '') throw new Error(`invalid field path ${JSON.stringify(path)}: empty segment`);
    if (segment === '__proto__') throw new Error(`invalid field path ${JSON.stringify(path)}: "__proto__" is not a field`);
  }
  Object.freeze(segments);
  // Paths normally come from config; the bound only guards against unbounded ad-hoc use.
  if (cache.size >= MAX_CACHED_PATHS) cache.clear();
  cache.set(path, segments);
  return segments;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads one step; inherited members (`constructor`, `toString`) are not fields. */
function step(container: unknown, key: string): JsonValue | undefined {
  if (typeof container !== 'object' || container === null) return undefined;
  const value = (container as Record<string, unknown>)[key];
  return typeof value === 'function' ? undefined : (value as JsonValue | undefined);
}

/** The value at `path` (`'http.status'`), or undefined when any step is missing. Arrays are indexed by number (`items.0`). */
export function getField(event: Container, path: string | FieldPath): JsonValue | undefined {
  const segments = typeof path === 'string' ? compilePath(path) : path;
  let current: unknown = event;
  for (let i = 0; i < segments.length; i++) {
    current = step(current, segments[i]);
    if (current === undefined) return undefined;
  }
  return current as JsonValue;
}

/** A copy of a nested container that may be written: objects and arrays are copied, anything else becomes `{}`. */
function writableCopy(value: JsonValue | undefined, key: string): JsonObject | JsonValue[] {
  if (Array.isArray(value) && /^\d+$/.test(key)) return value.slice();
  return isObject(value) ? { ...value } : {};
}

/**
 * Sets `path` to `value`, creating missing intermediate objects. The event itself is changed
 * in place (after a fan-out `mapEvents` has already handed the stage a shallow copy), but
 * every nested object along the path is replaced by a copy, never mutated: nested objects
 * may be shared with sibling branches or with other events, and this keeps them intact.
 * A non-object in the way (`a` is `"x"` when setting `a.b`) is replaced by an object.
 * Setting `undefined` removes the field from the wire (`JSON.stringify` skips it) without
 * `delete`, which would de-optimise the event's shape.
 */
export function setField(event: Container, path: string | FieldPath, value: JsonValue | undefined): void {
  const segments = typeof path === 'string' ? compilePath(path) : path;
  const last = segments.length - 1;
  let parent = event as Record<string, JsonValue | undefined>;
  for (let i = 0; i < last; i++) {
    const key = segments[i];
    const copy = writableCopy(step(parent, key), segments[i + 1]);
    parent[key] = copy;
    parent = copy as unknown as Record<string, JsonValue | undefined>;
  }
  parent[segments[last]] = value;
}

/**
 * Adds `tag` to the event's `tags` list (parse errors, routing marks). The list is replaced by
 * a new array, so a list shared with other events is never mutated; a scalar `tags` value is
 * kept as the first element.
 */
export function addTag(event: Container, tag: string): void {
  const tags = event.tags;
  if (Array.isArray(tags)) {
    if (!tags.includes(tag)) event.tags = [...tags, tag];
  } else {
    event.tags = tags === undefined || tags === null ? [tag] : [tags, tag];
  }
}
