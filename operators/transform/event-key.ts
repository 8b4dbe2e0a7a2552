import type { JsonValue, LogEvent } from '../../src/core/event';
import { getField } from '../../src/core/field-path';
import { configPath } from './field-paths';

/**
 * Compiles the key of an event from `fields` (dotted paths): the values' JSON, so `1` and
 * `"1"` are different keys and no separator can be forged. Undefined when none of the fields
 * is present: stages treat such events as having no key rather than lumping them together.
 */
export function compileEventKey(fields: readonly string[], where: string): (event: LogEvent) => string | undefined {
  const paths = fields.map((field, index) => configPath(field, fields.length === 1 ? where : `${where}.${index}`));
  if (paths.length === 1) {
    const [path] = paths;
    return (event) => {
      const value = getField(event, path);
      return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
    };
  }
  return (event) => {
    const values = new Array<JsonValue | null>(paths.length);
    let present = false;
    for (let i = 0; i < paths.length; i++) {
      const value = getField(event, paths[i]);
      present ||= value !== undefined;
      values[i] = value === undefined ? null : value;
    }
    return present ? JSON.stringify(values) : undefined;
  };
}

/**
 * A 32-bit hash of a string (FNV-1a, then a murmur3 finaliser to spread the low bits), the
 * same in every process and release: keyed sampling must keep or drop one key's events on
 * every instance and after every restart.
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
