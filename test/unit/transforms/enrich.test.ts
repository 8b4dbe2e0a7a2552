import { lastValueFrom, of, toArray } from 'rxjs';
import { enrich } from '../../../operators/transform/enrich';
import { enrichTransform } from '../../../src/transforms/enrich';
import { createBatch, type Batch } from '../../../src/core/batch';
import { ConfigError } from '../../../src/core/errors';
import type { JsonObject, LogEvent } from '../../../src/core/event';
import { configIssues, parseConfig, testContext } from '../../helpers/context';

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

  it('requires fields', () => {
    expect(configIssues(enrichTransform, {})).toEqual([expect.stringMatching(/^fields: missing required option/)]);
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
