import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry, builtinTransforms } from '../../../src/components/builtins';
import { ComponentRegistry } from '../../../src/components/registry';
import { Pipeline } from '../../../src/graph/pipeline';
import { metricValue } from '../../helpers/context';
import { collected, collectSink, countingSource } from '../graph/fixtures';
import { loadYamlConfig } from '../../../src/config/yaml';
import { validateGraph } from '../../../src/graph/validate';

const users = join(__dirname, '../../fixtures/lookup/users.csv');

/** The README's "Transforming" example, with a generator in front and the lookup table from the fixtures. */
const pipeline = (errorsCondition: string): string => `
sources:
  app: { type: generator }
transforms:
  tidy: { type: rename, inputs: [app], fields: { msg: message, 'req.ip': client.ip } }
  typed: { type: convert, inputs: [tidy], fields: { http.status: int, duration_ms: float, cached: bool, at: timestamp } }
  context:
    type: add_fields
    inputs: [typed]
    fields: { environment: production }
    env: { cloud.region: SLUICE_TEST_REGION }
    hostname_field: host
    lookup: { path: ${users}, key_field: user.id, key_column: id, target: user.info }
  private: { type: redact, inputs: [context], patterns: ['session=[0-9a-f]{32}'], mode: hash, key: "\${REDACT_KEY}" }
  fewer: { type: sample, inputs: [private], rate: 10, rate_by_level: { debug: 100, error: 1 }, key_field: trace_id, exclude: { field: level, in: [error, fatal] } }
  capped: { type: throttle, inputs: [fewer], threshold: 1000, window: 1s, key_field: service }
  once: { type: dedupe, inputs: [capped], fields: [message, host], ttl: 1m, max_entries: 10000 }
  errors:
    type: filter
    inputs: [once]
    conditions:
${errorsCondition}
sinks:
  out: { type: blackhole, inputs: [errors] }
`;

const GOOD = `      - any:
          - { field: level, equals: error }
          - all: [{ field: http.status, gte: 500 }, { not: { field: path, matches: '^/health' } }]`;

describe('the field transforms in a YAML pipeline', () => {
  const env = { REDACT_KEY: 'k' };
  // enrich reads its env variables from the process at start, not from the loader's view.
  beforeAll(() => (process.env.SLUICE_TEST_REGION = 'eu-west-1'));
  afterAll(() => delete process.env.SLUICE_TEST_REGION);

  it('validates the README example through the real loader and registry', () => {
    const loaded = loadYamlConfig('p.yaml', env, pipeline(GOOD));
    expect(validateGraph(loaded.data, builtinRegistry()).issues).toEqual([]);
  });

  it('locates a bad regex deep inside a condition group at its file line', () => {
    const loaded = loadYamlConfig('p.yaml', env, pipeline(GOOD.replace("'^/health'", "'(health'")));
    const { issues } = validateGraph(loaded.data, builtinRegistry());
    expect(issues).toHaveLength(1);
    expect(loaded.toError(issues[0]).format()).toMatch(/^p\.yaml:\d+:\d+: transforms\.errors\.conditions\.0\.any\.1\.all\.1\.not\.matches: invalid regular expression/);
  });

  it('reports a hash mode without key at validation', () => {
    const loaded = loadYamlConfig('p.yaml', env, pipeline(GOOD).replace(', key: "${REDACT_KEY}" }', ' }'));
    expect(validateGraph(loaded.data, builtinRegistry()).issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([expect.stringMatching(/^transforms\.private\.key: hash mode needs a key/)]);
  });
});

describe('the field transforms in a running pipeline', () => {
  const registry = (): ComponentRegistry => {
    const all = new ComponentRegistry().register(countingSource, collectSink);
    for (const definition of Object.values(builtinTransforms)) all.register(definition);
    return all;
  };

  it('runs counting → enrich → (redact → sample → dedupe → filter | raw) and settles every ack, the raw branch untouched', async () => {
    const spec = {
      data_dir: mkdtempSync(join(tmpdir(), 'sluice-fields-')),
      api: { enabled: false },
      sources: { numbers: { type: 'counting', count: 200, batch_size: 7 } },
      transforms: {
        context: { type: 'add_fields', inputs: ['numbers'], fields: { contact: 'bob@example.com' } },
        typed: { type: 'convert', inputs: ['context'], fields: { message: 'int' } },
        renamed: { type: 'rename', inputs: ['typed'], fields: { message: 'n' } },
        private: { type: 'redact', inputs: ['renamed'], builtins: ['email'] },
        fewer: { type: 'sample', inputs: ['private'], rate: 2 },
        once: { type: 'dedupe', inputs: ['fewer'], fields: ['contact'] },
        kept: { type: 'filter', inputs: ['fewer'], conditions: [{ any: [{ field: 'n', lt: 10 }, { not: { field: 'n', lt: 190 } }] }] },
      },
      sinks: { redacted: { type: 'collect', inputs: ['kept'] }, unique: { type: 'collect', inputs: ['once'] }, raw: { type: 'collect', inputs: ['context'] } },
    };
    const run = Pipeline.create(spec, { registry: registry() });
    await run.run();
    const redacted = collected.get('redacted') ?? [];
    expect(redacted.map((event) => event.n)).toEqual([0, 2, 4, 6, 8, 190, 192, 194, 196, 198]);
    expect(redacted.every((event) => event.contact === '[REDACTED]')).toBe(true);
    expect(collected.get('unique')).toEqual([{ n: 0, contact: '[REDACTED]' }]);
    const raw = collected.get('raw') ?? [];
    expect(raw).toHaveLength(200);
    expect(raw.every((event) => event.contact === 'bob@example.com' && typeof event.message === 'string')).toBe(true);
    const discarded = async (reason: string) => metricValue(run.metrics, 'sluice_component_discarded_events_total', { reason });
    expect(await discarded('sampled')).toBe(100);
    expect(await discarded('deduplicated')).toBe(99);
    expect(await discarded('filtered')).toBe(90);
    expect(await metricValue(run.metrics, 'sluice_source_in_flight_events')).toBe(0);
  });
});
