import { list, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { removeFields } from '../../operators/transform/remove';

/** The `remove` transform: removes fields from every event. */
export const removeTransform = defineTransform({
  type: 'remove',
  summary: 'Removes fields (dotted paths) from every event.',
  options: {
    fields: list(string({ description: 'A dotted path.' }), { description: 'The fields to remove.', example: ['password', 'kubernetes.labels'], minItems: 1 }),
  },
  example: { fields: ['password'] },
  create(config, ctx) {
    return removeFields(config.fields, ctx.hooks);
  },
});
