import type { LogEvent } from '../../../src/core/event';
import { addTag, compilePath, getField, setField } from '../../../src/core/field-path';

describe('compilePath', () => {
  it('splits a dotted path once and returns the cached segments after', () => {
    const first = compilePath('http.request.method');
    expect(first).toEqual(['http', 'request', 'method']);
    expect(compilePath('http.request.method')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('rejects empty segments and __proto__', () => {
    expect(() => compilePath('a..b')).toThrow(/empty segment/);
    expect(() => compilePath('')).toThrow(/empty segment/);
    expect(() => compilePath('a.__proto__.b')).toThrow(/__proto__/);
  });
});

describe('getField', () => {
  const event: LogEvent = { message: 'm', http: { status: 200, headers: { host: 'x' } }, items: [{ id: 7 }], flag: false, none: null };

  it('reads top-level and nested fields, and array elements by index', () => {
    expect(getField(event, 'message')).toBe('m');
    expect(getField(event, 'http.status')).toBe(200);
    expect(getField(event, 'http.headers.host')).toBe('x');
    expect(getField(event, 'items.0.id')).toBe(7);
    expect(getField(event, 'flag')).toBe(false);
    expect(getField(event, 'none')).toBeNull();
  });

  it('returns undefined for a missing step or a step through a scalar', () => {
    expect(getField(event, 'http.missing.deeper')).toBeUndefined();
    expect(getField(event, 'message.length')).toBeUndefined();
    expect(getField(event, 'none.x')).toBeUndefined();
  });

  it('does not see inherited members as fields', () => {
    expect(getField(event, 'constructor')).toBeUndefined();
    expect(getField(event, 'http.toString')).toBeUndefined();
  });
});

describe('setField', () => {
  it('creates missing intermediate objects', () => {
    const event: LogEvent = {};
    setField(event, 'a.b.c', 1);
    expect(event).toEqual({ a: { b: { c: 1 } } });
  });

  it('replaces nested objects along the path by copies, never mutating the originals', () => {
    const shared = { status: 200, headers: { host: 'x' } };
    const one: LogEvent = { http: shared };
    const two: LogEvent = { http: shared };
    setField(one, 'http.headers.via', 'proxy');
    expect(one.http).toEqual({ status: 200, headers: { host: 'x', via: 'proxy' } });
    expect(shared).toEqual({ status: 200, headers: { host: 'x' } });
    expect(two.http).toBe(shared);
  });

  it('replaces a scalar in the way with an object', () => {
    const event: LogEvent = { a: 'text' };
    setField(event, 'a.b', true);
    expect(event).toEqual({ a: { b: true } });
  });

  it('copies an array on the way when indexing into it', () => {
    const items = [{ id: 1 }, { id: 2 }];
    const event: LogEvent = { items };
    setField(event, 'items.1.id', 3);
    expect(event.items).toEqual([{ id: 1 }, { id: 3 }]);
    expect(items).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('removes a field from the wire by setting undefined', () => {
    const event: LogEvent = { message: 'raw', keep: 1 };
    setField(event, 'message', undefined);
    expect(JSON.stringify(event)).toBe('{"keep":1}');
  });
});

describe('addTag', () => {
  it('starts a tags list, appends to one without mutating it, and keeps a scalar tags value', () => {
    const fresh: LogEvent = {};
    addTag(fresh, 'x');
    expect(fresh.tags).toEqual(['x']);

    const tags = ['a'];
    const listed: LogEvent = { tags };
    addTag(listed, 'b');
    expect(listed.tags).toEqual(['a', 'b']);
    expect(tags).toEqual(['a']);

    const scalar: LogEvent = { tags: 'legacy' };
    addTag(scalar, 'b');
    expect(scalar.tags).toEqual(['legacy', 'b']);
  });

  it('does not add a tag twice', () => {
    const event: LogEvent = { tags: ['x'] };
    addTag(event, 'x');
    expect(event.tags).toEqual(['x']);
  });
});
