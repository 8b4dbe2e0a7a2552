import { boolean, record, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { renameFields } from '../../operators/transform/rename';

/** The `rename` transform: moves fields to new names. */
export const renameTransform = defineTransform({
  type: 'rename',
  summary: 'Moves fields to new names (dotted paths on both sides); absent fields are skipped.',
  options: {
    fields: record(string({ description: 'The new dotted path.' }), {
      description: 'Old dotted path → new dotted path, applied in order.',
      example: { msg: 'message', 'req.ip': 'client.ip' },
    }),
    overwrite: boolean({ description: 'Replace a field already at the new name (false: leave both fields as they are).', default: true, example: false }),
  },
  example: { fields: { msg: 'message' } },
  create(config, ctx) {
    return renameFields(config.fields, { overwrite: config.overwrite }, ctx.hooks);
  },
});
