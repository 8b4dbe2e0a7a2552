import { boolean, json, record } from '../config/schema';
import { defineTransform } from '../components/define';
import { enrich } from '../../operators/transform/enrich';

/** The `enrich` transform: adds static fields to every event. */
export const enrichTransform = defineTransform({
  type: 'enrich',
  summary: 'Adds static fields (environment, team, region) to every event.',
  options: {
    fields: record(json({ description: 'The value to set (any JSON value).' }), {
      description: 'Dotted field path → value. Use `${VAR}` to take a value from the environment (the config loader expands it).',
      example: { environment: 'production', 'service.team': 'payments' },
    }),
    overwrite: boolean({ description: 'Replace fields the event already has; by default only missing fields are set.', default: false, example: true }),
  },
  example: { fields: { environment: 'production' } },
  create(config, ctx) {
    return enrich(config.fields, { overwrite: config.overwrite }, ctx.hooks);
  },
});
