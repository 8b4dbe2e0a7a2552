import type { JsonValue } from '../core/event';
import { parseBytes, parseDuration } from './units';

/** Where in a config a value sits: `['sinks', 'out', 'batch', 'max_events']`. */
export type ConfigPath = ReadonlyArray<string | number>;

/** One problem found while validating config. */
export interface SchemaIssue {
  readonly path: ConfigPath;
  readonly message: string;
}

/** Collects every issue of one validation pass, so `sluice validate` reports them all at once. */
export class IssueCollector {
  readonly issues: SchemaIssue[] = [];
  add(path: ConfigPath, message: string): void {
    this.issues.push({ path, message });
  }
}

/** What the reference docs show of an option. */
export interface OptionDoc {
  readonly type: string;
  readonly description: string;
  readonly default?: unknown;
  readonly example?: unknown;
  readonly required: boolean;
  readonly limits?: string;
  readonly fields?: Readonly<Record<string, OptionDoc>>;
}

/**
 * An option: its documentation and a parser. `parse` returns the validated value (the
 * default when absent) or records an issue and returns undefined. `In` is what a user may
 * write (durations as "5s", sizes as "1MiB"), `Out` what the component receives.
 */
export interface Option<Out, In = Out> {
  readonly doc: OptionDoc;
  parse(value: unknown, path: ConfigPath, issues: IssueCollector): Out | undefined;
  /** Phantom field carrying the input type for inference; never set. */
  readonly _in?: In;
}

/** Common documentation every option declares. */
export interface OptionInfo<T> {
  readonly description: string;
  readonly default?: T;
  readonly example?: unknown;
}

type Check<T> = (value: unknown) => { ok: true; value: T } | { ok: false; message: string };

function scalar<Out, In>(type: string, info: OptionInfo<Out>, check: Check<Out>, limits?: string): Option<Out, In> {
  const required = info.default === undefined;
  return {
    doc: { type, description: info.description, default: info.default, example: info.example, required, limits },
    parse(value, path, issues) {
      if (value === undefined || value === null) {
        if (required) issues.add(path, `missing required option (${type}): ${info.description}`);
        return info.default;
      }
      const result = check(value);
      if (result.ok) return result.value;
      issues.add(path, result.message);
      return undefined;
    },
  };
}

const describe = (value: unknown): string => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

function rangeCheck(kind: string, integer: boolean, min?: number, max?: number): Check<number> {
  return (value) => {
    if (typeof value !== 'number' || Number.isNaN(value)) return { ok: false, message: `expected a ${kind}, got ${describe(value)}` };
    if (integer && !Number.isInteger(value)) return { ok: false, message: `expected an integer, got ${value}` };
    if (min !== undefined && value < min) return { ok: false, message: `must be at least ${min}, got ${value}` };
    if (max !== undefined && value > max) return { ok: false, message: `must be at most ${max}, got ${value}` };
    return { ok: true, value };
  };
}

const limitsText = (min?: number, max?: number, unit = ''): string | undefined =>
  min === undefined && max === undefined ? undefined : `${min ?? '-∞'}${unit} .. ${max ?? '∞'}${unit}`;

/** A string; `pattern` rejects malformed values early. */
export function string(info: OptionInfo<string> & { pattern?: RegExp }): Option<string> {
  return scalar('string', info, (value) => {
    if (typeof value !== 'string') return { ok: false, message: `expected a string, got ${describe(value)}` };
    if (info.pattern && !info.pattern.test(value)) return { ok: false, message: `does not match ${info.pattern}: ${JSON.stringify(value)}` };
    return { ok: true, value };
  });
}

/** An integer within optional bounds. */
export function integer(info: OptionInfo<number> & { min?: number; max?: number }): Option<number> {
  return scalar('integer', info, rangeCheck('number', true, info.min, info.max), limitsText(info.min, info.max));
}

/** A number within optional bounds. */
export function number(info: OptionInfo<number> & { min?: number; max?: number }): Option<number> {
  return scalar('number', info, rangeCheck('number', false, info.min, info.max), limitsText(info.min, info.max));
}

/** true or false. */
export function boolean(info: OptionInfo<boolean>): Option<boolean> {
  return scalar('boolean', info, (value) =>
    typeof value === 'boolean' ? { ok: true, value } : { ok: false, message: `expected true or false, got ${describe(value)}` },
  );
}

/** One of a fixed set of strings. */
export function oneOf<const T extends string>(values: readonly T[], info: OptionInfo<T>): Option<T> {
  return scalar(values.map((v) => JSON.stringify(v)).join(' | '), info, (value) =>
    values.includes(value as T)
      ? { ok: true, value: value as T }
      : { ok: false, message: `expected one of ${values.join(', ')}, got ${JSON.stringify(value)}` },
  );
}

/**
 * A count of at least `min`, or `"auto"` (the caller decides what auto means, such as one per
 * core): `workers: 4` or `workers: auto`.
 */
export function integerOrAuto(info: OptionInfo<number | 'auto'> & { min: number }): Option<number | 'auto'> {
  const range = rangeCheck('number', true, info.min);
  return scalar('integer | "auto"', info, (value) => {
    if (value === 'auto') return { ok: true, value };
    if (typeof value === 'string') return { ok: false, message: `expected an integer of at least ${info.min} or "auto", got ${JSON.stringify(value)}` };
    return range(value);
  }, limitsText(info.min));
}

/**
 * A duration in milliseconds, written as a number of ms or `"250ms"`, `"5s"`, `"2m"` (or
 * `"2min"`), `"1h"`, `"1d"`; units are case-sensitive (see `units.ts`).
 */
export function duration(info: OptionInfo<number> & { min?: number; max?: number }): Option<number, number | string> {
  const range = rangeCheck('duration', false, info.min, info.max);
  return scalar('duration', info, (value) => {
    if (typeof value !== 'string') return range(value);
    const parsed = parseDuration(value);
    return parsed.ok ? range(parsed.value) : parsed;
  }, limitsText(info.min, info.max, 'ms'));
}

/**
 * A size in bytes, written as a number or with a case-sensitive unit: `"64KiB"`, `"1GiB"`
 * (powers of 1024), `"10MB"` (powers of 1000). Single letters such as `"64m"` are refused:
 * they mean 2^20 to some readers and 10^6 to others.
 */
export function bytes(info: OptionInfo<number> & { min?: number; max?: number }): Option<number, number | string> {
  const range = rangeCheck('size', true, info.min, info.max);
  return scalar('bytes', info, (value) => {
    if (typeof value !== 'string') return range(value);
    const parsed = parseBytes(value);
    return parsed.ok ? range(parsed.value) : parsed;
  }, limitsText(info.min, info.max, 'B'));
}

/** Any JSON value (static fields to add, for example). */
export function json(info: OptionInfo<JsonValue>): Option<JsonValue> {
  return scalar('json', info, (value) => ({ ok: true, value: value as JsonValue }));
}

/** A list of `item`. */
export function list<Out, In>(item: Option<Out, In>, info: OptionInfo<Out[]> & { minItems?: number }): Option<Out[], In[]> {
  return {
    doc: { type: `${item.doc.type}[]`, description: info.description, default: info.default, example: info.example, required: info.default === undefined },
    parse(value, path, issues) {
      if (value === undefined || value === null) {
        if (info.default === undefined) issues.add(path, `missing required option (list): ${info.description}`);
        return info.default;
      }
      if (!Array.isArray(value)) {
        issues.add(path, `expected a list, got ${describe(value)}`);
        return undefined;
      }
      if (info.minItems !== undefined && value.length < info.minItems) issues.add(path, `needs at least ${info.minItems} item(s)`);
      return value.map((element, index) => item.parse(element, [...path, index], issues) as Out);
    },
  };
}

/** A map from names to `value` (fields to set, for example). */
export function record<Out, In>(value: Option<Out, In>, info: OptionInfo<Record<string, Out>>): Option<Record<string, Out>, Record<string, In>> {
  return {
    doc: { type: `map<string, ${value.doc.type}>`, description: info.description, default: info.default, example: info.example, required: info.default === undefined },
    parse(input, path, issues) {
      if (input === undefined || input === null) {
        if (info.default === undefined) issues.add(path, `missing required option (map): ${info.description}`);
        return info.default;
      }
      if (typeof input !== 'object' || Array.isArray(input)) {
        issues.add(path, `expected a map, got ${describe(input)}`);
        return undefined;
      }
      // fromEntries defines own properties: a `__proto__:` key stays a key, never a prototype.
      return Object.fromEntries(Object.entries(input).map(([key, element]) => [key, value.parse(element, [...path, key], issues) as Out]));
    },
  };
}

/** Makes an option optional with no default: the component receives `undefined`. */
export function optional<Out, In>(option: Option<Out, In>): Option<Out | undefined, In | undefined> {
  return {
    doc: { ...option.doc, required: false },
    parse: (value, path, issues) => (value === undefined || value === null ? undefined : option.parse(value, path, issues)),
  };
}

export { closestName, object, type Shape, type InferOut, type InferIn } from './object-schema';
