import { lastValueFrom, of, toArray, type OperatorFunction } from 'rxjs';
import { convertFields, type ConvertType } from '../../../operators/transform/convert';
import { renameFields } from '../../../operators/transform/rename';
import { copyTransform } from '../../../src/transforms/copy';
import { convertTransform } from '../../../src/transforms/convert';
import { removeTransform } from '../../../src/transforms/remove';
import { renameTransform } from '../../../src/transforms/rename';
import { createBatch, type Batch } from '../../../src/core/batch';
import { ConfigError } from '../../../src/core/errors';
import type { JsonValue, LogEvent } from '../../../src/core/event';
import { configIssues, metricValue, parseConfig, testContext } from '../../helpers/context';

async function run(operator: OperatorFunction<Batch, Batch>, events: LogEvent[]): Promise<LogEvent[]> {
  const out = await lastValueFrom(of(createBatch(events)).pipe(operator, toArray()));
  return out.flatMap((batch) => batch.events);
}

describe('rename, copy and remove components', () => {
  it('round-trip their examples through the config parser and run', async () => {
    expect(await run(renameTransform.create(parseConfig(renameTransform, renameTransform.example), testContext()), [{ msg: 'x' }])).toEqual([{ message: 'x' }]);
    expect(await run(copyTransform.create(parseConfig(copyTransform, copyTransform.example), testContext()), [{ message: 'x' }])).toEqual([{ message: 'x', raw_message: 'x' }]);
    const removed = await run(removeTransform.create(parseConfig(removeTransform, removeTransform.example), testContext()), [{ message: 'x', password: 'p' }]);
    expect(JSON.stringify(removed)).toBe('[{"message":"x"}]');
  });

  it('report missing fields through the config parser and a bad path at creation', () => {
    expect(configIssues(renameTransform, {})).toEqual([expect.stringMatching(/^fields: missing required option/)]);
    expect(configIssues(removeTransform, { fields: [] })).toEqual(['fields: needs at least 1 item(s)']);
    expect(() => renameFields({ 'a..b': 'c' })).toThrow(ConfigError);
    expect(() => renameFields({ a: '__proto__' })).toThrow(/fields\.a: invalid field path/);
  });

  it('rename chains: a field renamed onto another one moves both in order', async () => {
    expect(await run(renameFields({ a: 'b', b: 'c' }), [{ a: 1 }])).toEqual([{ c: 1 }]);
  });
});

describe('convert', () => {
  const convert = async (type: ConvertType, value: JsonValue): Promise<JsonValue | undefined> =>
    (await run(convertFields({ v: type }), [{ v: value }]))[0].v;

  it('reads real-world values of each type', async () => {
    expect(await convert('int', ' 42 ')).toBe(42);
    expect(await convert('int', '-3.9')).toBe(-3);
    expect(await convert('int', true)).toBe(1);
    expect(await convert('float', '1e3')).toBe(1000);
    expect(await convert('float', 2)).toBe(2);
    expect(await convert('bool', 'OFF')).toBe(false);
    expect(await convert('bool', 1)).toBe(true);
    expect(await convert('timestamp', '2026-12-03T04:05:06+02:00')).toBe('2026-12-03T02:05:06.000Z');
    expect(await convert('timestamp', 1_764_730_000_123)).toBe('2025-12-03T02:46:40.123Z');
    expect(await convert('string', { a: 1 })).toBe('{"a":1}');
    expect(await convert('string', null)).toBe('null');
  });

  it('tags and keeps what has no such reading: never crashes, never replaces a bad timestamp by now', async () => {
    const cases: Array<[ConvertType, JsonValue]> = [['int', '12abc'], ['int', '1e400'], ['int', 2 ** 60], ['float', 'NaN'], ['float', ''], ['bool', 2], ['bool', 'maybe'], ['timestamp', 'yesterday'], ['timestamp', { at: 1 }], ['int', [1]]];
    for (const [type, value] of cases) {
      const [out] = await run(convertFields({ v: type }), [{ v: value }]);
      expect(out).toEqual({ v: value, tags: ['convert_error'] });
    }
  });

  it('counts failures as convert errors and uses the configured tag, through the config parser', async () => {
    const ctx = testContext();
    const config = parseConfig(convertTransform, { fields: { status: 'int', ok: 'bool' }, error_tag: 'bad_types' });
    const out = await run(convertTransform.create(config, ctx), [{ status: 'x', ok: 'perhaps' }, { status: '1', ok: 'true' }]);
    expect(out).toEqual([{ status: 'x', ok: 'perhaps', tags: ['bad_types'] }, { status: 1, ok: true }]);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'convert' })).toBe(2);
  });

  it('refuses an unknown type through the config parser and at creation', () => {
    expect(configIssues(convertTransform, { fields: { a: 'integer' } })).toEqual([expect.stringMatching(/^fields\.a: expected one of int, float, bool, timestamp, string/)]);
    expect(() => convertFields({ a: 'integer' as 'int' })).toThrow(/fields\.a: unknown type/);
  });
});
