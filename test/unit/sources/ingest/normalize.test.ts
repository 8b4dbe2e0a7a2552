import { normalizeEvent, normalizeLevel, parseTimestamp } from '../../../../src/sources/ingest/normalize';
import { epochToMillis } from '../../../../src/sources/ingest/timestamps';

const RECEIVED = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const ok = (input: unknown) => {
  const result = normalizeEvent(input, RECEIVED);
  if ('error' in result) throw new Error(`unexpected error: ${result.error}`);
  return result.event;
};
const error = (input: unknown, limits = {}) => {
  const result = normalizeEvent(input, RECEIVED, limits);
  if (!('error' in result)) throw new Error(`expected an error for ${JSON.stringify(input)}`);
  return result.error;
};

describe('normalizeEvent', () => {
  it('keeps a well-formed event, its fields and nesting, and stamps the receive time when it has none', () => {
    expect(ok({ message: 'hi', user: { id: 7, tags: ['a'] }, ok: true, n: null })).toEqual({
      message: 'hi',
      timestamp: '2026-01-02T03:04:05.678Z',
      user: { id: 7, tags: ['a'] },
      ok: true,
      n: null,
    });
  });

  it('moves the message aliases msg and log under message, message winning over them', () => {
    expect(ok({ msg: 'pino line' })).toMatchObject({ message: 'pino line' });
    expect(ok({ msg: 'pino line' })).not.toHaveProperty('msg');
    expect(ok({ log: 'docker line' })).toMatchObject({ message: 'docker line' });
    expect(ok({ message: 'main', msg: 'other' })).toMatchObject({ message: 'main', msg: 'other' });
    expect(ok({ fields: 1 })).not.toHaveProperty('message');
  });

  it('reads timestamp, time, @timestamp and ts as RFC 3339 strings or epoch numbers', () => {
    expect(ok({ timestamp: '2025-06-01T12:00:00Z' }).timestamp).toBe('2025-06-01T12:00:00.000Z');
    expect(ok({ time: '2025-06-01T14:00:00.123456789+02:00' }).timestamp).toBe('2025-06-01T12:00:00.123Z');
    expect(ok({ '@timestamp': '2025-06-01 12:00:00' })).toEqual({ timestamp: '2025-06-01T12:00:00.000Z' });
    expect(ok({ ts: 1748779200 }).timestamp).toBe('2025-06-01T12:00:00.000Z');
    expect(ok({ time: 1748779200123 }).timestamp).toBe('2025-06-01T12:00:00.123Z');
    expect(ok({ ts: 1748779200.5 }).timestamp).toBe('2025-06-01T12:00:00.500Z');
  });

  it('normalises level names and numbers', () => {
    expect(ok({ level: 'WARNING' }).level).toBe('warn');
    expect(ok({ level: 50 }).level).toBe('error');
    expect(ok({ level: 'audit' }).level).toBe('audit');
  });

  it('refuses non-objects with a clear error', () => {
    expect(error([1, 2])).toBe('expected a JSON object, got array');
    expect(error(null)).toBe('expected a JSON object, got null');
    expect(error('text')).toBe('expected a JSON object, got string');
    expect(error(42)).toBe('expected a JSON object, got number');
  });

  it('refuses wrong types of the well-known fields and leaves the item unchanged', () => {
    const item = { msg: { nested: true }, time: 'x' };
    expect(error(item)).toBe('msg must be a string, got object');
    expect(item).toEqual({ msg: { nested: true }, time: 'x' });
    expect(error({ message: 'a', timestamp: 'yesterday' })).toMatch(/^timestamp: not an RFC 3339/);
    expect(error({ message: 'a', timestamp: true })).toBe('timestamp: expected an RFC 3339 string or epoch number, got boolean');
    expect(error({ level: { n: 1 } })).toBe('level: expected a level name or number, got object');
    expect(error({ host: 12 })).toBe('host must be a string, got number');
    expect(error({ source: ['a'] })).toBe('source must be a string, got array');
  });

  it('bounds nesting like the json transform (the item is level 1) and string length', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(error(deep)).toMatch(/nested deeper than 64 levels/);
    expect(ok({ a: { b: 1 } })).toBeDefined();
    expect(error({ a: { b: 1 } }, { maxDepth: 1 })).toBe('$.a: nested deeper than 1 levels');
    expect(error({ message: 'x'.repeat(11) }, { maxStringLength: 10 })).toBe('$.message: string of 11 characters is over the limit of 10');
    expect(error({ ['k'.repeat(11)]: 1 }, { maxStringLength: 10 })).toMatch(/key of 11 characters/);
    expect(error({ list: [1, 'y'.repeat(11)] }, { maxStringLength: 10 })).toMatch(/^\$\.list\[1\]/);
  });

  it('refuses values JSON cannot carry', () => {
    expect(error({ n: Number.NaN })).toBe('$.n: NaN is not a JSON number');
    expect(error({ f: () => 1 })).toBe('$.f: function is not a JSON value');
  });

  it('keeps a __proto__ key as data, never as a prototype', () => {
    const event = ok(JSON.parse('{"message":"m","__proto__":{"polluted":true}}'));
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseTimestamp', () => {
  it('decides the unit of an epoch number by its magnitude', () => {
    const seconds = 1_700_000_000;
    expect(epochToMillis(seconds)).toBe(seconds * 1000);
    expect(epochToMillis(seconds * 1000)).toBe(seconds * 1000);
    expect(epochToMillis(seconds * 1e6)).toBe(seconds * 1000);
    expect(epochToMillis(seconds * 1e9)).toBe(seconds * 1000);
    for (const value of [seconds, seconds * 1e3, seconds * 1e6, seconds * 1e9, String(seconds * 1e9)]) {
      expect(parseTimestamp(value)).toEqual({ iso: '2023-11-14T22:13:20.000Z' });
    }
  });

  it('accepts RFC 3339 variants and refuses impossible dates', () => {
    expect(parseTimestamp('2024-02-29T23:59:59.999-00:30')).toEqual({ iso: '2024-03-01T00:29:59.999Z' });
    expect(parseTimestamp('2024-01-01')).toEqual({ iso: '2024-01-01T00:00:00.000Z' });
    expect(parseTimestamp('2024-01-01T10:00:00+0100')).toEqual({ iso: '2024-01-01T09:00:00.000Z' });
    expect(parseTimestamp('0050-01-01T00:00:00Z')).toEqual({ iso: '0050-01-01T00:00:00.000Z' });
    for (const bad of ['2023-02-29T00:00:00Z', '2024-13-01', '2024-01-01T25:00:00Z', 'Tue, 1 Jan 2024', '', '1e400']) {
      expect(parseTimestamp(bad)).toHaveProperty('error');
    }
    expect(parseTimestamp(Number.POSITIVE_INFINITY)).toHaveProperty('error');
    expect(parseTimestamp(9e30)).toHaveProperty('error');
  });
});

describe('normalizeLevel', () => {
  it.each([
    ['warn', 'warn'], ['WARNING', 'warn'], ['Warn', 'warn'], ['err', 'error'], ['ERROR', 'error'], ['fatal', 'fatal'],
    ['critical', 'fatal'], ['crit', 'fatal'], ['emerg', 'fatal'], ['panic', 'fatal'], ['notice', 'info'], [' info ', 'info'],
    ['trace', 'trace'], ['debug', 'debug'], ['30', 'info'],
  ])('name %j → %s', (input, level) => expect(normalizeLevel(input)).toEqual({ level }));

  it.each([
    [10, 'trace'], [20, 'debug'], [30, 'info'], [35, 'info'], [40, 'warn'], [50, 'error'], [60, 'fatal'], [100, 'fatal'],
    [0, 'fatal'], [2, 'fatal'], [3, 'error'], [4, 'warn'], [5, 'info'], [6, 'info'], [7, 'debug'],
  ])('number %d → %s (pino/bunyan above 10, syslog 0-7)', (input, level) => expect(normalizeLevel(input)).toEqual({ level }));

  it('refuses numbers that are no known level and strings that are no name', () => {
    for (const bad of [8, 9, -1, 3.5, Number.NaN, '', 'x'.repeat(33), true, null, [1]]) expect(normalizeLevel(bad)).toHaveProperty('error');
    expect(normalizeLevel('constructor')).toEqual({ level: 'constructor' });
  });
});
