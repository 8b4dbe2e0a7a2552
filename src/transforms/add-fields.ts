import { defineTransform } from '../components/define';
import { enrichOptions, enrichTransform } from './enrich';

/**
 * The `add_fields` transform: another name for `enrich` (the name Beats and Fluent Bit users
 * look for), the same options and the same operator.
 */
export const addFieldsTransform = defineTransform({
  type: 'add_fields',
  summary: 'Another name for `enrich`: adds static values, environment variables, the host name and lookup-table columns to every event.',
  options: enrichOptions,
  example: { fields: { 'service.name': 'checkout' }, hostname_field: 'host' },
  check: enrichTransform.check,
  create: enrichTransform.create,
});
