import { boolean, record, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { copyFields } from '../../operators/transform/copy';

/** The `copy` transform: copies field values to other paths. */
export const copyTransform = defineTransform({
  type: 'copy',
  summary: 'Copies field values to other dotted paths; absent fields are skipped.',
  options: {
    fields: record(string({ description: 'The dotted path to copy to.' }), {
      description: 'Source dotted path → target dotted path, applied in order.',
      example: { message: 'raw_message', 'http.status': 'status_code' },
    }),
    overwrite: boolean({ description: 'Replace a field already at the target.', default: true, example: false }),
  },
  example: { fields: { message: 'raw_message' } },
  create(config, ctx) {
    return copyFields(config.fields, { overwrite: config.overwrite }, ctx.hooks);
  },
});
