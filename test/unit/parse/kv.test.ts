import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { from, lastValueFrom, toArray, type OperatorFunction } from 'rxjs';
import { parseKeyValue } from '../../../operators/parse/kv';
import { LOGFMT, splitKeyValue } from '../../../operators/parse/kv-split';
import { createBatch, type Batch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { eventsOf } from '../../helpers/batches';

const lines = readFileSync(join(__dirname, '../../fixtures/logfmt/go-services.log'), 'utf8').split('\n').slice(0, -1);

async function run(operator: OperatorFunction<Batch, Batch>, events: LogEvent[]): Promise<LogEvent[]> {
  const out = await lastValueFrom(from([createBatch(events)]).pipe(operator, toArray()));
  return out.flatMap((batch) => batch.events);
}

describe('parseKeyValue', () => {
  it('parses logfmt from Go services (slog, logrus, go-kit) into exact fields', async () => {
    const out = await run(parseKeyValue(), eventsOf(...lines));
    expect(out).toEqual([
      { time: '2026-11-30T14:20:01.532+01:00', level: 'INFO', msg: 'server started', addr: ':8080', tls: 'false' },
      { time: '2026-11-30T14:20:05.004+01:00', level: 'WARN', msg: 'slow query', duration: '1.204s', query: 'SELECT * FROM users WHERE email = "a@b.c"', rows: '1' },
      { time: '2026-11-30T14:20:07+01:00', level: 'error', msg: 'upstream failed', error: 'dial tcp 10.0.3.7:5432: connect: connection refused', retry: true },
      { ts: '2026-11-30T13:20:09.118Z', caller: 'main.go:212', component: 'tsdb', msg: 'compaction done', duration_ms: '88', blocks: '3' },
    ]);
  });

  it('parses any field with its own separators into a target, keeping the field when asked', async () => {
    const out = await run(parseKeyValue({ field: 'url.query', target: 'params', fieldSeparator: '&', quotes: '', dropField: false }), [{ url: { query: 'q=a+b&page=2&redirect=/x?y=z&flag' } }]);
    expect(out).toEqual([{ url: { query: 'q=a+b&page=2&redirect=/x?y=z&flag' }, params: { q: 'a+b', page: '2', redirect: '/x?y=z', flag: true } }]);
  });

  it('trims blanks around keys and values when pairs have an explicit separator', () => {
    expect(splitKeyValue('a : 1 ; b:"x;y" ;c:', { ...LOGFMT, fieldSeparator: ';', valueSeparator: ':' })).toEqual({ a: '1', b: 'x;y', c: '' });
  });

  it('unescapes inside quotes, lets a later duplicate win, and takes the rest of an unterminated quote', () => {
    expect(splitKeyValue('a="x\\"y\\\\z\\n" a=2 b="open end', LOGFMT)).toEqual({ a: '2', b: 'open end' });
    expect(splitKeyValue('m="line\\nnext"', LOGFMT)).toEqual({ m: 'line\nnext' });
  });

  it('keeps a __proto__ key as a plain field, never as the prototype', () => {
    const pairs = splitKeyValue('__proto__=x polluted=no', LOGFMT);
    expect(Object.getPrototypeOf(pairs)).toBe(Object.prototype);
    expect(Object.keys(pairs ?? {})).toEqual(['__proto__', 'polluted']);
  });

  it('tags and counts an event without any pair, and a missing field, keeping them unchanged', async () => {
    const reasons: string[] = [];
    const out = await run(parseKeyValue({}, { onParseError: (_event, reason) => reasons.push(reason) }), [{ message: '   ' }, { level: 'info' }, { message: '=x' }]);
    expect(out).toEqual([
      { message: '   ', tags: ['kv_parse_error'] },
      { level: 'info', tags: ['kv_parse_error'] },
      { message: '=x', tags: ['kv_parse_error'] },
    ]);
    expect(reasons).toEqual(['no key=value pair', 'field is missing', 'no key=value pair']);
  });

  it('reads at most maxPairs pairs', () => {
    expect(splitKeyValue('a=1 b=2 c=3', { ...LOGFMT, maxPairs: 2 })).toEqual({ a: '1', b: '2' });
  });

  it('rejects separators that cannot work', () => {
    expect(() => parseKeyValue({ fieldSeparator: '' })).toThrow(RangeError);
    expect(() => parseKeyValue({ fieldSeparator: '=', valueSeparator: '=' })).toThrow(RangeError);
  });

  it('never throws on arbitrary input in any syntax, and round-trips simple logfmt (property)', () => {
    const separator = fc.constantFrom(' ', '&', ';', ', ', '=', ':', '"');
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), separator, separator, fc.constantFrom('"', "'", '', '"\''), (text, fieldSeparator, valueSeparator, quotes) => {
        if (fieldSeparator === valueSeparator) return;
        splitKeyValue(text, { fieldSeparator, valueSeparator, quotes, maxPairs: 512 });
      }),
      { numRuns: 1000 },
    );
    const key = fc.stringMatching(/^[a-z_][a-z0-9_.]{0,8}$/);
    const value = fc.stringMatching(/^[^"\\]{0,12}$/);
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (pairs) => {
        const text = Object.entries(pairs).map(([k, v]) => `${k}="${v}"`).join(' ');
        expect(splitKeyValue(text, LOGFMT)).toEqual(Object.keys(pairs).length === 0 ? undefined : pairs);
      }),
      { numRuns: 300 },
    );
  });
});
