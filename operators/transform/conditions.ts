import type { JsonValue, LogEvent } from '../../src/core/event';
import { ConfigError } from '../../src/core/errors';
import { compilePath, getField } from '../../src/core/field-path';

/**
 * One test on one field, written the same way in YAML and TypeScript. Every operator given
 * must hold (`{ field: status, gte: 200, lt: 300 }` is a range); at least one is required.
 */
export interface Condition {
  /** Dotted path of the field to test. */
  readonly field: string;
  /** Equal to the value. Numbers and numeric strings compare as numbers (`"200"` equals `200`); objects by their JSON. */
  readonly equals?: JsonValue;
  readonly not_equals?: JsonValue;
  /** Equal to one of the values. */
  readonly in?: readonly JsonValue[];
  /** A JavaScript regular expression the value (a string, or a number/boolean as text) contains a match of. */
  readonly matches?: string;
  /** The field is present (true) or absent (false). */
  readonly exists?: boolean;
  /** Numeric comparison (numbers or numeric strings); with a string bound, string comparison (ISO timestamps). */
  readonly gt?: number | string;
  readonly gte?: number | string;
  readonly lt?: number | string;
  readonly lte?: number | string;
}

type Test = (value: JsonValue | undefined) => boolean;

const isNumeric = (text: string): boolean => text.trim() !== '' && Number.isFinite(Number(text));

/** Equality with the loose number/numeric-string rule, compiled for one expected value. */
export function equalsTo(expected: JsonValue): Test {
  if (typeof expected === 'string') {
    const asNumber = isNumeric(expected) ? Number(expected) : Number.NaN;
    return (value) => value === expected || (typeof value === 'number' && value === asNumber);
  }
  if (typeof expected === 'number') {
    return (value) => value === expected || (typeof value === 'string' && isNumeric(value) && Number(value) === expected);
  }
  if (expected !== null && typeof expected === 'object') {
    const json = JSON.stringify(expected);
    return (value) => value !== null && typeof value === 'object' && JSON.stringify(value) === json;
  }
  return (value) => value === expected;
}

/** Membership: a Set lookup for scalars, so long lists stay cheap. */
function oneOf(values: readonly JsonValue[]): Test {
  const scalars = new Set<JsonValue>();
  const others: Test[] = [];
  for (const value of values) {
    if (value !== null && typeof value === 'object') others.push(equalsTo(value));
    else scalars.add(value);
  }
  return (value) => {
    if (value === undefined) return false;
    if (scalars.has(value)) return true;
    if (typeof value === 'string' && isNumeric(value) && scalars.has(Number(value))) return true;
    if (typeof value === 'number' && scalars.has(String(value))) return true;
    for (const test of others) if (test(value)) return true;
    return false;
  };
}

type Ordering = 'gt' | 'gte' | 'lt' | 'lte';
const ORDER: Record<Ordering, (difference: number) => boolean> = { gt: (d) => d > 0, gte: (d) => d >= 0, lt: (d) => d < 0, lte: (d) => d <= 0 };

function ordered(op: Ordering, bound: number | string, where: string): Test {
  const accept = ORDER[op];
  if (typeof bound === 'number') {
    return (value) => {
      const n = typeof value === 'number' ? value : typeof value === 'string' && isNumeric(value) ? Number(value) : Number.NaN;
      return !Number.isNaN(n) && accept(n - bound);
    };
  }
  if (typeof bound === 'string') return (value) => typeof value === 'string' && accept(value < bound ? -1 : value > bound ? 1 : 0);
  throw new ConfigError(`${where}.${op}: expected a number or a string, got ${JSON.stringify(bound)}`, { path: `${where}.${op}` });
}

function regex(pattern: string, where: string): Test {
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern);
  } catch (error) {
    throw new ConfigError(`${where}.matches: invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`, { path: `${where}.matches` });
  }
  return (value) =>
    typeof value === 'string' ? compiled.test(value) : typeof value === 'number' || typeof value === 'boolean' ? compiled.test(String(value)) : false;
}

/**
 * Compiles one condition into a predicate, once: paths split, regexes built, sets filled.
 * A condition with no operator, an invalid regex or a bad bound is a {@link ConfigError}
 * naming `where` (`conditions.2`), thrown at creation rather than on the first event.
 */
export function compileCondition(condition: Condition, where: string): EventPredicate {
  let path;
  try {
    path = compilePath(condition.field);
  } catch (error) {
    throw new ConfigError(`${where}.field: ${(error as Error).message}`, { path: `${where}.field` });
  }
  const tests: Test[] = [];
  if (condition.equals !== undefined) tests.push(equalsTo(condition.equals));
  if (condition.not_equals !== undefined) {
    const equal = equalsTo(condition.not_equals);
    tests.push((value) => !equal(value));
  }
  if (condition.in !== undefined) tests.push(oneOf(condition.in));
  if (condition.matches !== undefined) tests.push(regex(condition.matches, where));
  if (condition.exists !== undefined) {
    const exists = condition.exists;
    tests.push((value) => (value !== undefined) === exists);
  }
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    const bound = condition[op];
    if (bound !== undefined) tests.push(ordered(op, bound, where));
  }
  if (tests.length === 0) {
    throw new ConfigError(`${where}: needs an operator (equals, not_equals, in, matches, exists, gt, gte, lt, lte)`, { path: where });
  }
  if (tests.length === 1) {
    const only = tests[0];
    return (event) => only(getField(event, path));
  }
  return (event) => {
    const value = getField(event, path);
    for (const test of tests) if (!test(value)) return false;
    return true;
  };
}

/** Some of the nested conditions hold (at least one). */
export interface AnyGroup {
  readonly any: readonly ConditionSpec[];
}

/** Every nested condition holds. */
export interface AllGroup {
  readonly all: readonly ConditionSpec[];
}

/** The nested condition does not hold. */
export interface NotGroup {
  readonly not: ConditionSpec;
}

/**
 * A condition as YAML and TypeScript write it: a field test, or an `any` / `all` / `not`
 * group of conditions, nested as deep as {@link MAX_CONDITION_DEPTH}.
 *
 * ```yaml
 * any:
 *   - { field: level, equals: error }
 *   - all: [{ field: http.status, gte: 500 }, { not: { field: path, matches: "^/health" } }]
 * ```
 */
export type ConditionSpec = Condition | AnyGroup | AllGroup | NotGroup;

/** What every compiled condition is: a pure test of one event. */
export type EventPredicate = (event: LogEvent) => boolean;

/** Deepest nesting of groups: a bound, so a hostile config cannot overflow the stack when compiled. */
export const MAX_CONDITION_DEPTH = 32;

const GROUP_KEYS = ['any', 'all', 'not'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Which group key a spec uses, or undefined for a field test; a spec mixing them is refused. */
function groupKey(spec: Record<string, unknown>, where: string): (typeof GROUP_KEYS)[number] | undefined {
  const present = GROUP_KEYS.filter((key) => Object.hasOwn(spec, key));
  if (present.length === 0) return undefined;
  const others = Object.keys(spec).filter((key) => key !== present[0]);
  if (present.length > 1 || others.length > 0) {
    throw new ConfigError(`${where}: a group has exactly one key (any, all or not), got ${Object.keys(spec).join(', ')}`, { path: where });
  }
  return present[0];
}

function compileList(items: unknown, key: 'any' | 'all', where: string, depth: number): EventPredicate[] {
  if (!Array.isArray(items) || items.length === 0) {
    throw new ConfigError(`${where}.${key}: expected a non-empty list of conditions`, { path: `${where}.${key}` });
  }
  return items.map((item, index) => compileSpec(item as ConditionSpec, `${where}.${key}.${index}`, depth + 1));
}

function compileSpec(spec: ConditionSpec, where: string, depth: number): EventPredicate {
  if (depth > MAX_CONDITION_DEPTH) throw new ConfigError(`${where}: conditions nest deeper than ${MAX_CONDITION_DEPTH} levels`, { path: where });
  if (!isObject(spec)) throw new ConfigError(`${where}: expected a condition (a map), got ${JSON.stringify(spec)}`, { path: where });
  const key = groupKey(spec, where);
  if (key === undefined) {
    if (typeof spec.field !== 'string') throw new ConfigError(`${where}: needs a \`field\` to test, or one of any, all, not`, { path: where });
    return compileCondition(spec as Condition, where);
  }
  if (key === 'not') {
    const inner = compileSpec((spec as NotGroup).not, `${where}.not`, depth + 1);
    return (event) => !inner(event);
  }
  const parts = compileList(spec[key], key, where, depth);
  if (parts.length === 1) return parts[0];
  if (key === 'all') {
    return (event) => {
      for (const part of parts) if (!part(event)) return false;
      return true;
    };
  }
  return (event) => {
    for (const part of parts) if (part(event)) return true;
    return false;
  };
}

/**
 * Compiles a condition (a field test or an `any` / `all` / `not` group) into one predicate:
 * the compiled form `filter`, `route`, `sample` and `throttle` share. Everything is built
 * once (paths split, regexes compiled, sets filled); groups short-circuit left to right. A
 * malformed spec is a {@link ConfigError} whose path names the part (`when.any.1.not.matches`).
 *
 * @example
 * const isServerError = compilePredicate({ all: [{ field: 'http.status', gte: 500 }, { not: { field: 'path', equals: '/health' } }] }, 'when');
 */
export function compilePredicate(spec: ConditionSpec, where: string): EventPredicate {
  return compileSpec(spec, where, 0);
}
