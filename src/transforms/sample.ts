import { integer, optional, record, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { sample } from '../../operators/transform/sample';
import { configProblems } from '../../operators/transform/field-paths';
import { condition } from './filter';

/** The `sample` transform: keeps 1 event in N, optionally by key and by level. */
export const sampleTransform = defineTransform({
  type: 'sample',
  summary: 'Keeps 1 event in N (optionally keyed, so one key is kept or dropped whole; rates by level); dropped events are acknowledged and counted.',
  options: {
    rate: integer({ description: 'Keep 1 event in `rate`; 1 keeps every event.', example: 10, min: 1 }),
    rate_by_level: record(integer({ description: 'Keep 1 in this many events of the level.', min: 1 }), {
      description: 'Rates by level (matched case-insensitively); levels not listed use `rate`.',
      default: {},
      example: { debug: 100, info: 10, error: 1 },
    }),
    level_field: string({ description: 'Dotted path of the level field read by `rate_by_level`.', default: 'level', example: 'severity' }),
    key_field: optional(string({ description: 'Sample by the value of this field (a trace or request id): every event of one key is kept or dropped together, the same on every instance. Events without it are sampled by counting.', example: 'trace_id' })),
    exclude: optional(condition({ description: 'Events matching this condition are always kept.', example: { field: 'level', in: ['error', 'fatal'] } })),
  },
  example: { rate: 10 },
  check: (config) => configProblems(() => sample({ rate: config.rate, rateByLevel: config.rate_by_level, levelField: config.level_field, keyField: config.key_field })),
  create(config, ctx) {
    return sample(
      { rate: config.rate, rateByLevel: config.rate_by_level, levelField: config.level_field, keyField: config.key_field, exclude: config.exclude },
      { onError: ctx.hooks.onError, onDiscard: (count) => ctx.metrics.discard('sampled', count) },
    );
  },
});
