import { encodeEvent, eventFromPino, timestampFromMillis, type IngestEvent } from '../../../src/client';
import { interpretAck } from '../../../src/client/ack-outcome';
import { BatchWindow } from '../../../src/client/batch-window';
import { resolveStreamOptions } from '../../../src/client/stream-options';

const wire = (event: IngestEvent) => {
  const encoded = encodeEvent(event);
  if ('error' in encoded) throw new Error(encoded.error);
  return encoded.wire;
};

describe('encodeEvent', () => {
  const ms = Date.UTC(2026, 11, 2, 10, 11, 12, 345);
  const expected = { seconds: Math.floor(ms / 1000), nanos: 345_000_000 };

  it.each<[string, IngestEvent['timestamp']]>([
    ['a Date', new Date(ms)],
    ['epoch milliseconds', ms],
    ['epoch seconds with a fraction', ms / 1000],
    ['epoch nanoseconds', ms * 1e6],
    ['an RFC 3339 string', '2026-12-02T10:11:12.345Z'],
    ['an RFC 3339 string with an offset', '2026-12-02T12:11:12.345+02:00'],
    ['a numeric string', String(ms)],
  ])('reads the timestamp from %s', (_, timestamp) => {
    expect(wire({ timestamp }).timestamp).toEqual(expected);
  });

  it('keeps nanos within range and handles times before 1970', () => {
    expect(timestampFromMillis(999.9999999)).toEqual({ seconds: 1, nanos: 0 });
    expect(timestampFromMillis(-1)).toEqual({ seconds: -1, nanos: 999_000_000 });
  });

  it('maps numeric levels (pino, syslog) to names and passes names through for sluice to normalise', () => {
    expect([10, 20, 30, 40, 50, 60, 3].map((level) => wire({ level }).level)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'error']);
    expect(wire({ level: 'WARNING' }).level).toBe('WARNING');
  });

  it('sends fields as one JSON document and leaves out empty ones', () => {
    expect(JSON.parse(Buffer.from(wire({ fields: { a: 1, when: new Date(0) } }).fields_json!).toString())).toEqual({ a: 1, when: '1970-01-01T00:00:00.000Z' });
    expect(wire({ fields: {} }).fields_json).toBeUndefined();
  });

  it.each<[unknown, RegExp]>([
    [null, /expected an event object, got null/],
    [[1], /expected an event object, got array/],
    [{ timestamp: 'soon' }, /^timestamp: not an RFC 3339/],
    [{ timestamp: Number.POSITIVE_INFINITY }, /^timestamp: Infinity is not a finite number/],
    [{ level: 8 }, /^level: 8 is neither/],
    [{ host: 1 }, /^host must be a string, got number/],
    [{ fields: [1, 2] }, /^fields must be an object, got array/],
    [{ fields: { toJSON: () => 'text' } }, /^fields do not serialise to a JSON object/],
  ])('refuses %j with a clear reason', (event, reason) => {
    const encoded = encodeEvent(event as IngestEvent);
    expect('error' in encoded && encoded.error).toMatch(reason);
  });

  it('estimates at least the encoded size of the strings it carries', () => {
    const encoded = encodeEvent({ message: 'é'.repeat(100), host: 'h', fields: { k: 'v' } });
    expect('bytes' in encoded && encoded.bytes).toBeGreaterThanOrEqual(200 + 1 + 9);
  });
});

describe('eventFromPino', () => {
  const line = { level: 30, time: 1_764_670_272_345, pid: 7, hostname: 'web-1', name: 'checkout', msg: 'paid', order: { id: 9 } };

  it('maps msg, time, level, hostname and name, and keeps everything else as fields', () => {
    expect(eventFromPino(line)).toEqual({ message: 'paid', timestamp: line.time, level: 'info', host: 'web-1', source: 'checkout', fields: { pid: 7, order: { id: 9 } } });
  });

  it('uses the logger’s own level labels and messageKey when pino sends them', () => {
    const event = eventFromPino({ level: 35, time: 1, message: 'audited', msg: 'kept as a field' }, { levels: { labels: { 35: 'audit' } }, messageKey: 'message' });
    expect(event).toEqual({ message: 'audited', timestamp: 1, level: 'audit', fields: { msg: 'kept as a field' } });
  });

  it('prefers the configured source over the logger name, and JSON-encodes a non-string message', () => {
    expect(eventFromPino({ name: 'x', msg: { a: 1 } }, {}, { source: 'billing' })).toEqual({ message: '{"a":1}', source: 'billing', fields: { name: 'x' } });
  });

  it('passes an unknown numeric level on for the band mapping', () => {
    expect(eventFromPino({ level: 45 })).toEqual({ level: 45 });
    expect(wire(eventFromPino({ level: 45 })).level).toBe('warn');
  });
});

describe('BatchWindow', () => {
  const item = (bytes: number) => ({ event: {}, wire: {}, bytes, writtenAt: 0 });

  it('never cuts a batch while the window has no room, and lets the first batch in whatever its size', () => {
    const window = new BatchWindow(resolveStreamOptions({ batchMaxEvents: 2, maxUnackedBatches: 2, batchMaxBytes: 100, maxUnackedBytes: 150 }), () => Buffer.alloc(60));
    for (let i = 0; i < 7; i++) window.add(item(10));
    const cut = window.cut(false);
    expect(cut.map((batch) => batch.items.length)).toEqual([2, 2]);
    expect(window.cut(true)).toEqual([]);
    expect(window.pendingCount).toBe(3);
    window.settle(cut[0]!);
    expect(window.cut(false).map((batch) => batch.items.length)).toEqual([2]);
    window.settle(cut[1]!);
    expect(window.cut(false)).toEqual([]);
    expect(window.cut(true).map((batch) => batch.items.length)).toEqual([1]);
  });
});

describe('interpretAck', () => {
  const items = ['a', 'b', 'c'].map((message) => ({ event: { message }, wire: { message }, bytes: 10, writtenAt: 0 }));
  const ack = (rejected: Array<{ index: number; reason: string; retryable: boolean }>, retryAfterMs = 0, accepted = 0) => ({ sequence: 1, accepted, rejected, retry_after_ms: retryAfterMs });

  it('reads retry_after with nothing accepted or named as a refusal of the whole batch', () => {
    expect(interpretAck(items, ack([], 500))).toEqual({ refused: true, retryAfterMs: 500 });
  });

  it('splits named items into retryable and failed, and counts the rest as accepted', () => {
    const outcome = interpretAck(items, ack([{ index: 2, reason: 'outage', retryable: true }, { index: 0, reason: 'bad', retryable: false }], 0, 1));
    expect(outcome).toEqual({ refused: false, accepted: 1, retry: [items[2]], failed: [{ event: { message: 'a' }, reason: 'bad' }], lastRetryReason: 'outage' });
  });

  it('ignores indices outside the batch and repeated ones', () => {
    const outcome = interpretAck(items, ack([{ index: 7, reason: 'x', retryable: true }, { index: 1, reason: 'y', retryable: false }, { index: 1, reason: 'z', retryable: true }]));
    expect(outcome).toMatchObject({ refused: false, accepted: 2, retry: [], failed: [{ event: { message: 'b' }, reason: 'y' }] });
  });
});
