import { map, pipe, type OperatorFunction } from 'rxjs';
import { oneOf, record, type InferOut, type SchemaIssue } from '../config/schema';
import type { ComponentContext } from '../components/context';
import { defineTransform } from '../components/define';
import type { Batch } from '../core/batch';
import { compileRoutes, route } from '../../operators/route/route';
import { UNMATCHED, type OutputBatch } from '../../operators/route/outputs';
import { condition } from './filter';

/** Output names a downstream `inputs:` entry can spell after the dot: no dot of their own, not the reserved `_unmatched`. */
const OUTPUT_NAME = /^[A-Za-z0-9_-]+$/;

const options = {
  routes: record(condition({ description: 'The condition an event must match to leave by this output.' }), {
    description: `Output name → condition, tried in order. Downstream components read an output as \`<id>.<name>\`; events no route matched leave by \`<id>.${UNMATCHED}\`.`,
    example: { errors: { field: 'level', equals: 'error' }, slow: { field: 'duration_ms', gte: 1000 } },
  }),
  match: oneOf(['first', 'all'] as const, {
    description: '`first`: an event leaves by the first route it matches; `all`: by every route it matches (the branches then share it, copy-on-write).',
    default: 'first',
    example: 'all',
  }),
};

function routeOperator(config: InferOut<typeof options>, ctx: ComponentContext): OperatorFunction<Batch, OutputBatch> {
  return route(compileRoutes(config.routes), { match: config.match, hooks: { onError: ctx.hooks.onError } });
}

/** The `route` transform: named outputs by condition, plus `_unmatched`. */
export const routeTransform = defineTransform({
  type: 'route',
  summary: `Sends each event to the named outputs whose condition it matches (read as \`<id>.<name>\`), the rest to \`<id>.${UNMATCHED}\`; an unread output's events are acknowledged and counted.`,
  options,
  example: { routes: { errors: { field: 'level', equals: 'error' } } },
  check(config) {
    const issues: SchemaIssue[] = [];
    const names = Object.keys(config.routes);
    if (names.length === 0) issues.push({ path: ['routes'], message: 'needs at least one route' });
    for (const name of names) {
      if (name === UNMATCHED) issues.push({ path: ['routes', name], message: `"${UNMATCHED}" is the output of events no route matched; name routes otherwise` });
      else if (!OUTPUT_NAME.test(name)) issues.push({ path: ['routes', name], message: `an output name holds only letters, digits, "_" and "-" (it is read as "<id>.${name}")` });
    }
    return issues;
  },
  // The graph reads a route by its named outputs (below); a program that builds the transform
  // as a plain operator gets every output's batches on one stream.
  create: (config, ctx) => pipe(routeOperator(config, ctx), map((routed) => routed.batch)),
  outputs: { names: (config) => [...Object.keys(config.routes), UNMATCHED], create: routeOperator },
});
