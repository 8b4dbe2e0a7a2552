import { hostname } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, of, toArray } from 'rxjs';
import { parseCsvRows } from '../../../operators/transform/lookup-table';
import { addFieldsTransform } from '../../../src/transforms/add-fields';
import { enrich } from '../../../operators/transform/enrich';
import { enrichTransform } from '../../../src/transforms/enrich';
import { createBatch, type Batch } from '../../../src/core/batch';
import { ConfigError } from '../../../src/core/errors';
import type { JsonObject, LogEvent } from '../../../src/core/event';
import { configIssues, metricValue, parseConfig, testContext } from '../../helpers/context';

async function run(operator: ReturnType<typeof enrich>, input: Batch): Promise<LogEvent[]> {
  const [out] = await lastValueFrom(of(input).pipe(operator, toArray()));
  return out.events;
}

describe('enrichTransform', () => {
  it('round-trips its example config and sets the fields', async () => {
    const config = parseConfig(enrichTransform, enrichTransform.example);
    expect(config.overwrite).toBe(false);
    expect(await run(enrichTransform.create(config, testContext()), createBatch([{ message: 'x' }]))).toEqual([{ message: 'x', environment: 'production' }]);
  });

  it('refuses a config that adds nothing', () => {
    expect(configIssues(enrichTransform, {})).toEqual([]);
    expect(enrichTransform.check?.(parseConfig(enrichTransform, {}))).toEqual([{ path: [], message: expect.stringMatching(/^nothing to add/) }]);
  });

  it('reports an invalid path at creation', () => {
    expect(() => enrich({ 'a..b': 1 })).toThrow(ConfigError);
    expect(() => enrich({ 'a..b': 1 })).toThrow(/fields\.a\.\.b: invalid field path/);
  });
});

describe('enrich', () => {
  it('never mutates the events or nested objects of a shared batch', async () => {
    const service = { name: 'api' };
    const original: LogEvent = { message: 'x', service };
    const out = await run(enrich({ 'service.team': 'payments', env: 'prod' }), { ...createBatch([original]), shared: true });
    expect(out).toEqual([{ message: 'x', service: { name: 'api', team: 'payments' }, env: 'prod' }]);
    expect(original).toEqual({ message: 'x', service: { name: 'api' } });
    expect(service).toEqual({ name: 'api' });
  });

  it('shares one frozen copy of an object value between events, leaving the config untouched', async () => {
    const value: JsonObject = { region: 'eu-west-1', zones: ['a', 'b'] };
    const out = await run(enrich({ cloud: value }), createBatch([{}, {}]));
    expect(out[0].cloud).toEqual(value);
    expect(out[0].cloud).toBe(out[1].cloud);
    expect(Object.isFrozen(out[0].cloud)).toBe(true);
    expect(Object.isFrozen((out[0].cloud as JsonObject).zones)).toBe(true);
    expect(Object.isFrozen(value)).toBe(false);
  });

  it('fills a nested field only where it is missing unless overwrite is set', async () => {
    const events = (): LogEvent[] => [{ service: { team: 'core' } }, { service: {} }];
    expect(await run(enrich({ 'service.team': 'payments' }), createBatch(events()))).toEqual([{ service: { team: 'core' } }, { service: { team: 'payments' } }]);
    expect(await run(enrich({ 'service.team': 'payments' }, { overwrite: true }), createBatch(events()))).toEqual([{ service: { team: 'payments' } }, { service: { team: 'payments' } }]);
  });

  it('passes batches through untouched when there are no fields', async () => {
    const input = createBatch([{ message: 'x' }]);
    const [out] = await lastValueFrom(of(input).pipe(enrich({}), toArray()));
    expect(out).toBe(input);
  });
});

describe('enrichTransform sources of values', () => {
  const fixture = (name: string): string => join(__dirname, '../../fixtures/lookup', name);
  const runConfig = async (input: unknown, events: LogEvent[]): Promise<LogEvent[]> => {
    const config = parseConfig(enrichTransform, input);
    expect(enrichTransform.check?.(config)).toEqual([]);
    return run(enrichTransform.create(config, testContext()), createBatch(events));
  };

  it('sets environment variables and the host name read once at start', async () => {
    process.env.SLUICE_TEST_REGION = 'eu-west-1';
    expect(await runConfig({ env: { 'cloud.region': 'SLUICE_TEST_REGION' }, hostname_field: 'host' }, [{}])).toEqual([{ cloud: { region: 'eu-west-1' }, host: hostname() }]);
  });

  it('reports an unset environment variable at validation', () => {
    delete process.env.SLUICE_TEST_UNSET;
    expect(enrichTransform.check?.(parseConfig(enrichTransform, { env: { region: 'SLUICE_TEST_UNSET' } }))).toEqual([
      { path: ['env', 'region'], message: 'environment variable SLUICE_TEST_UNSET is not set' },
    ]);
  });

  it('joins a CSV table by key column, quoted cells included', async () => {
    const out = await runConfig({ lookup: { path: fixture('users.csv'), key_field: 'user.id', key_column: 'id', target: 'user.info' } }, [{ user: { id: 'u2' } }, { user: { id: 'nobody' } }]);
    expect(out).toEqual([{ user: { id: 'u2', info: { team: 'search, core', region: 'us' } } }, { user: { id: 'nobody' } }]);
  });

  it('joins a JSON array of rows and a JSON object of rows, numbers matching as text', async () => {
    expect(await runConfig({ lookup: { path: fixture('services.json'), key_field: 'service', key_column: 'name' } }, [{ service: 'search' }])).toEqual([{ service: 'search', owner: 'discovery', tier: 2 }]);
    expect(await runConfig({ lookup: { path: fixture('hosts.json'), key_field: 'host', target: 'site' } }, [{ host: 'web-2' }])).toEqual([{ host: 'web-2', site: { rack: 'r7', dc: 'ams' } }]);
  });

  it('counts lookup misses as lookup_miss errors', async () => {
    const ctx = testContext();
    const config = parseConfig(enrichTransform, { lookup: { path: fixture('hosts.json'), key_field: 'host' } });
    await run(enrichTransform.create(config, ctx), createBatch([{ host: 'web-1' }, { host: 'web-9' }, {}]));
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'lookup_miss' })).toBe(2);
  });

  it('reports a missing, oversized or malformed table and a missing key column at validation', () => {
    const check = (lookup: Record<string, unknown>) => enrichTransform.check?.(parseConfig(enrichTransform, { lookup: { key_field: 'k', ...lookup } }));
    expect(check({ path: fixture('absent.csv') })).toEqual([{ path: ['lookup', 'path'], message: expect.stringMatching(/cannot read .*absent\.csv/) }]);
    expect(check({ path: fixture('users.csv'), max_bytes: 10 })).toEqual([{ path: ['lookup', 'path'], message: expect.stringMatching(/over max_bytes/) }]);
    expect(check({ path: fixture('users.csv'), key_column: 'uid' })).toEqual([{ path: ['lookup', 'path'], message: expect.stringMatching(/no column "uid"/) }]);
    expect(check({ path: fixture('users.csv'), format: 'json' })).toEqual([{ path: ['lookup', 'path'], message: expect.stringMatching(/not JSON/) }]);
    expect(check({ path: join(__dirname, 'enrich.test.ts') })).toEqual([{ path: ['lookup', 'format'], message: expect.stringMatching(/cannot tell the format/) }]);
  });

  it('is also registered as add_fields, with the same options', async () => {
    const config = parseConfig(addFieldsTransform, addFieldsTransform.example);
    expect(await run(addFieldsTransform.create(config, testContext()), createBatch([{}]))).toEqual([{ service: { name: 'checkout' }, host: hostname() }]);
  });
});

describe('parseCsvRows', () => {
  it('reads quotes, doubled quotes, CRLF and skips blank lines', () => {
    expect(parseCsvRows('a,b\r\n"x, ""y""",2\n\n3,\n')).toEqual([['a', 'b'], ['x, "y"', '2'], ['3', '']]);
    expect(() => parseCsvRows('a,"open')).toThrow(/unterminated/);
  });
});
