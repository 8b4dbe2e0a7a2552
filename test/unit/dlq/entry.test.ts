import { decodeEntry, encodeEntry } from '../../../src/dlq/entry';
import type { LogEvent } from '../../../src/core/event';

describe('dead-letter entries', () => {
  // Regression: the events an encoder fails permanently (too deep, a BigInt) are the ones the
  // queue receives, and writing them threw, so the queue rejected the one event it exists for.
  it('keeps an event that cannot be encoded in a safe form naming why, instead of failing the write', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) deep = (deep.child = {}) as Record<string, unknown>;
    const event = { message: 'deep one', timestamp: '2026-12-02T00:00:00.000Z', nested: root } as unknown as LogEvent;
    const line = encodeEntry({ time: '2026-12-02T00:00:01.000Z', component: 'out', error: 'refused', attempts: 1, event });
    const decoded = decodeEntry(line.trimEnd());
    expect(decoded?.event).toMatchObject({ message: 'deep one', timestamp: '2026-12-02T00:00:00.000Z', keys: 'message,timestamp,nested' });
    expect(String(decoded?.event.unencodable)).toMatch(/call stack/i);
  });

  it('writes an ordinary event as it is', () => {
    const line = encodeEntry({ time: '2026-12-02T00:00:01.000Z', component: 'out', error: 'e', attempts: 2, event: { message: 'hi', level: 'info' } });
    expect(decodeEntry(line.trimEnd())?.event).toEqual({ message: 'hi', level: 'info' });
  });
});
