import fc from 'fast-check';
import { compileCondition, compilePredicate, MAX_CONDITION_DEPTH, type ConditionSpec } from '../../../operators/transform/conditions';
import { ConfigError } from '../../../src/core/errors';
import type { LogEvent } from '../../../src/core/event';
import { filterTransform } from '../../../src/transforms/filter';
import { configIssues } from '../../helpers/context';

/** A condition beside the TypeScript predicate it is meant to say. */
interface Described {
  readonly spec: ConditionSpec;
  readonly says: (event: LogEvent) => boolean;
}

const leaf: fc.Arbitrary<Described> = fc.oneof(
  fc.integer({ min: 0, max: 3 }).map((k): Described => ({ spec: { field: 'a', equals: k }, says: (event) => event.a === k })),
  fc.integer({ min: 0, max: 3 }).map((k): Described => ({ spec: { field: 'n.b', gt: k }, says: (event) => typeof (event.n as { b?: unknown } | undefined)?.b === 'number' && ((event.n as { b: number }).b > k) })),
  fc.boolean().map((present): Described => ({ spec: { field: 'c', exists: present }, says: (event) => (event.c !== undefined) === present })),
  fc.subarray([0, 1, 2, 3], { minLength: 1 }).map((values): Described => ({ spec: { field: 'a', in: values }, says: (event) => values.includes(event.a as number) })),
  fc.constantFrom('^x', 'y$').map((pattern): Described => ({ spec: { field: 's', matches: pattern }, says: (event) => typeof event.s === 'string' && new RegExp(pattern).test(event.s) })),
);

const { tree } = fc.letrec<{ tree: Described }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { minLength: 1, maxLength: 4 }).map((parts): Described => ({ spec: { any: parts.map((p) => p.spec) }, says: (event) => parts.some((p) => p.says(event)) })),
    fc.array(tie('tree'), { minLength: 1, maxLength: 4 }).map((parts): Described => ({ spec: { all: parts.map((p) => p.spec) }, says: (event) => parts.every((p) => p.says(event)) })),
    tie('tree').map((inner): Described => ({ spec: { not: inner.spec }, says: (event) => !inner.says(event) })),
  ),
}));

const event: fc.Arbitrary<LogEvent> = fc.record(
  { a: fc.integer({ min: 0, max: 4 }), n: fc.record({ b: fc.integer({ min: 0, max: 5 }) }), c: fc.constant('here'), s: fc.constantFrom('x1', 'zy', 'xy', '') },
  { requiredKeys: [] },
);

describe('compilePredicate', () => {
  it('agrees with the TypeScript predicate an any/all/not tree describes, on random events (property)', () => {
    fc.assert(
      fc.property(tree, fc.array(event, { maxLength: 20 }), (described, events) => {
        const compiled = compilePredicate(described.spec, 'when');
        for (const candidate of events) expect(compiled(candidate)).toBe(described.says(candidate));
      }),
      { numRuns: 500 },
    );
  });

  it('reads not(not(c)) as c (property)', () => {
    fc.assert(
      fc.property(tree, fc.array(event, { maxLength: 20 }), (described, events) => {
        const once = compilePredicate(described.spec, 'when');
        const twice = compilePredicate({ not: { not: described.spec } }, 'when');
        for (const candidate of events) expect(twice(candidate)).toBe(once(candidate));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the field-test form and the existing compileCondition entry point', () => {
    expect(compilePredicate({ field: 'level', equals: 'error' }, 'c')({ level: 'error' })).toBe(true);
    expect(compileCondition({ field: 'level', equals: 'error' }, 'c')({ level: 'warn' })).toBe(false);
  });

  it('names the broken part of a malformed spec', () => {
    const compile = (spec: unknown) => () => compilePredicate(spec as ConditionSpec, 'when');
    expect(compile({ any: [] })).toThrow(/^when\.any: expected a non-empty list/);
    expect(compile({ all: [{ field: 'a', exists: true }, { not: { field: 'm', matches: '(' } }] })).toThrow(/^when\.all\.1\.not\.matches: invalid regular expression/);
    expect(compile({ any: [{ field: 'a', exists: true }], field: 'b' })).toThrow(/^when: a group has exactly one key/);
    expect(compile({ equals: 1 })).toThrow(/^when: needs a `field`/);
    expect(compile('level == error')).toThrow(ConfigError);
    let deep: ConditionSpec = { field: 'a', exists: true };
    for (let i = 0; i <= MAX_CONDITION_DEPTH; i++) deep = { not: deep };
    expect(compile(deep)).toThrow(/nest deeper than/);
  });
});

describe('condition option (shared by filter, sample, throttle, route)', () => {
  it('validates groups through the config parser, locating each problem', () => {
    expect(configIssues(filterTransform, { conditions: [{ any: [{ field: 'a', equal: 1 }, { not: { field: 'b', matches: '(' } }] }] })).toEqual([
      expect.stringMatching(/^conditions\.0\.any\.0\.equal: unknown option "equal" \(did you mean "equals"\?\)/),
    ]);
    expect(configIssues(filterTransform, { conditions: [{ any: [{ field: 'a', exists: true }, { not: { field: 'b', matches: '(' } }] }] })).toEqual([
      expect.stringMatching(/^conditions\.0\.any\.1\.not\.matches: invalid regular expression/),
    ]);
    expect(configIssues(filterTransform, { conditions: [{ all: [] }, { not: 'x' }, { any: [{ field: 'a', exists: true }], all: [] }] })).toEqual([
      'conditions.0.all: expected a non-empty list of conditions',
      expect.stringMatching(/^conditions\.1\.not: expected a condition/),
      expect.stringMatching(/^conditions\.2: a group has exactly one key/),
    ]);
    expect(configIssues(filterTransform, { conditions: [{ all: [{ field: 'level', equals: 'error' }, { not: { field: 'path', matches: '^/health' } }] }] })).toEqual([]);
  });
});
