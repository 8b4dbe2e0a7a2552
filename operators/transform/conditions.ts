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
export function compileCondition(condition: Condition, where: string): (event: LogEvent) => boolean {
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
