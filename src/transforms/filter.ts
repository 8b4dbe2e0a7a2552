import { boolean, json, list, object, oneOf, optional, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { filterByConditions, type Condition } from '../../operators/transform/filter';

const operand = (description: string) => optional(json({ description }));

const conditionShape = object(
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

/** The `filter` transform: keeps (or drops) events matching field conditions. */
export const filterTransform = defineTransform({
  type: 'filter',
  summary: 'Keeps (or drops) events matching field conditions; dropped events are acknowledged and counted.',
  options: {
    conditions: list(conditionShape, {
      description: 'The conditions, each on one field.',
      example: [{ field: 'http.status', gte: 500 }],
      minItems: 1,
    }),
    mode: oneOf(['all', 'any'] as const, { description: '`all`: every condition must hold; `any`: one is enough.', default: 'all', example: 'any' }),
    action: oneOf(['keep', 'drop'] as const, { description: '`keep` the matching events or `drop` them.', default: 'keep', example: 'drop' }),
  },
  example: { conditions: [{ field: 'level', in: ['warn', 'error'] }] },
  create(config, ctx) {
    const conditions = config.conditions as Condition[];
    return filterByConditions(
      { conditions, mode: config.mode, action: config.action },
      { onError: ctx.hooks.onError, onDiscard: (count) => ctx.metrics.discard('filtered', count) },
    );
  },
});
