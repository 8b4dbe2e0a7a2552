import { lastValueFrom, of, toArray } from 'rxjs';
import { readYamlConfig } from '../../../src/config/yaml';
import { builtinRegistry } from '../../../src/components/builtins';
import { createBatch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { validateGraph } from '../../../src/graph/validate';
import { routeTransform } from '../../../src/transforms/route';
import { parseConfig, testContext } from '../../helpers/context';

const yaml = (routes: string): string => `
sources:
  app: { type: generator }
transforms:
  split:
    type: route
    inputs: [app]
    routes:
${routes}
sinks:
  out: { type: blackhole, inputs: [split.errors, split._unmatched] }
`;

const validate = (text: string): string[] =>
  validateGraph(readYamlConfig('pipeline.yaml', {}, text).data, builtinRegistry()).issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('routeTransform', () => {
  it('takes any/all/not groups, the condition language filter uses, from YAML', () => {
    const routes = `      errors:
        any:
          - { field: level, equals: error }
          - all: [{ field: status, gte: 500 }, { not: { field: path, equals: /health } }]`;
    expect(validate(yaml(routes))).toEqual([]);
  });

  it('reports an invalid condition of a route at its path, at validate time', () => {
    expect(validate(yaml('      errors: { field: message, matches: "([" }'))).toEqual([
      expect.stringMatching(/^transforms\.split\.routes\.errors\.matches: invalid regular expression "\(\["/),
    ]);
  });

  it('as a plain operator (create), passes every output\'s batches on one stream', async () => {
    const config = parseConfig(routeTransform, { routes: { errors: { field: 'level', equals: 'error' } }, match: 'all' });
    const events: LogEvent[] = [{ level: 'error' }, { level: 'info' }];
    const out = await lastValueFrom(of(createBatch(events)).pipe(routeTransform.create(config, testContext()), toArray()));
    expect(out.map((batch) => batch.events)).toEqual([[{ level: 'error' }], [{ level: 'info' }]]);
  });
});
