import { boolean, json, list, object, oneOf, optional, string, type ConfigPath, type IssueCollector, type Option, type OptionInfo } from '../config/schema';
import { defineTransform } from '../components/define';
import { ConfigError } from '../core/errors';
import { compilePredicate, MAX_CONDITION_DEPTH, type ConditionSpec } from '../../operators/transform/conditions';
import { filterByConditions } from '../../operators/transform/filter';

const operand = (description: string) => optional(json({ description }));

const fieldTest = object(
  {
    field: string({ description: 'Dotted path of the field to test.', example: 'http.status' }),
    equals: operand('Equal to this value (numbers and numeric strings compare as numbers).'),
    not_equals: operand('Not equal to this value.'),
    in: optional(list(json({ description: 'A value.' }), { description: 'Equal to one of these values.', example: [500, 502, 503] })),
    matches: optional(string({ description: 'A JavaScript regular expression the value contains a match of.', example: '^GET ' })),
    exists: optional(boolean({ description: 'The field is present (true) or absent (false).', example: true })),
    gt: operand('Greater than this number (or string, compared as text).'),
    gte: operand('Greater than or equal to this number (or string).'),
    lt: operand('Less than this number (or string).'),
    lte: operand('Less than or equal to this number (or string).'),
  },
  { description: 'One test on one field; every operator given must hold.' },
);

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the shape of one condition (field test or group), recording every problem at its path. */
function parseSpec(value: unknown, path: ConfigPath, issues: IssueCollector, depth: number): ConditionSpec | undefined {
  if (!isMap(value)) {
    issues.add(path, `expected a condition (a map with \`field\`, or \`any\`, \`all\` or \`not\`), got ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`);
    return undefined;
  }
  if (depth > MAX_CONDITION_DEPTH) {
    issues.add(path, `conditions nest deeper than ${MAX_CONDITION_DEPTH} levels`);
    return undefined;
  }
  const groups = (['any', 'all', 'not'] as const).filter((key) => Object.hasOwn(value, key));
  if (groups.length === 0) return fieldTest.parse(value, path, issues) as ConditionSpec | undefined;
  if (groups.length > 1 || Object.keys(value).length > 1) {
    issues.add(path, `a group has exactly one key (any, all or not), got ${Object.keys(value).join(', ')}`);
    return undefined;
  }
  const key = groups[0];
  const inner = value[key];
  if (key === 'not') {
    const spec = parseSpec(inner, [...path, 'not'], issues, depth + 1);
    return spec === undefined ? undefined : { not: spec };
  }
  if (!Array.isArray(inner) || inner.length === 0) {
    issues.add([...path, key], 'expected a non-empty list of conditions');
    return undefined;
  }
  const items = inner.map((item, index) => parseSpec(item, [...path, key, index], issues, depth + 1));
  return items.includes(undefined) ? undefined : key === 'any' ? { any: items as ConditionSpec[] } : { all: items as ConditionSpec[] };
}

/**
 * A condition option: a field test (`{ field: level, equals: error }`) or an `any` / `all` /
 * `not` group of conditions. Validation checks the shape and compiles it (regexes, bounds,
 * paths), so `sluice validate` reports what creating the stage would refuse. Shared by every
 * component that takes a condition (`filter`, `sample`, `throttle`, `route`).
 */
export function condition(info: OptionInfo<ConditionSpec>): Option<ConditionSpec> {
  return {
    doc: {
      type: 'condition',
      description: `${info.description} A field test, or a group: \`any: [conditions]\`, \`all: [conditions]\`, \`not: condition\` (nested up to ${MAX_CONDITION_DEPTH} levels).`,
      default: info.default,
      example: info.example,
      required: info.default === undefined,
      fields: fieldTest.doc.fields,
    },
    parse(value, path, issues) {
      if (value === undefined || value === null) {
        if (info.default === undefined) issues.add(path, `missing required option (condition): ${info.description}`);
        return info.default;
      }
      const before = issues.issues.length;
      const spec = parseSpec(value, path, issues, 0);
      if (spec === undefined || issues.issues.length > before) return undefined;
      const where = path.join('.');
      try {
        compilePredicate(spec, where);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        // The compiler names the part (`<where>.any.1.matches`): report it at that path, the message without it.
        const at = error.location?.path ?? where;
        const rest = at.startsWith(where) ? at.slice(where.length).split('.').filter((part) => part !== '') : [];
        issues.add([...path, ...rest.map((part) => (/^\d+$/.test(part) ? Number(part) : part))], error.message.startsWith(`${at}: `) ? error.message.slice(at.length + 2) : error.message);
        return undefined;
      }
      return spec;
    },
  };
}

/** The `filter` transform: keeps (or drops) events matching field conditions. */
export const filterTransform = defineTransform({
  type: 'filter',
  summary: 'Keeps (or drops) events matching conditions (field tests and any/all/not groups); dropped events are acknowledged and counted.',
  options: {
    conditions: list(condition({ description: 'A condition.' }), {
      description: 'The conditions: field tests or `any` / `all` / `not` groups of them.',
      example: [{ field: 'http.status', gte: 500 }, { not: { field: 'path', matches: '^/health' } }],
      minItems: 1,
    }),
    mode: oneOf(['all', 'any'] as const, { description: '`all`: every condition must hold; `any`: one is enough.', default: 'all', example: 'any' }),
    action: oneOf(['keep', 'drop'] as const, { description: '`keep` the matching events or `drop` them.', default: 'keep', example: 'drop' }),
  },
  example: { conditions: [{ field: 'level', in: ['warn', 'error'] }] },
  create(config, ctx) {
    return filterByConditions(
      { conditions: config.conditions, mode: config.mode, action: config.action },
      { onError: ctx.hooks.onError, onDiscard: (count) => ctx.metrics.discard('filtered', count) },
    );
  },
});
