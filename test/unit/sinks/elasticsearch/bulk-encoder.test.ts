import { createHash } from 'node:crypto';
import { setEventMeta, type LogEvent } from '../../../../src/core/event';
import { BulkEncoding, type BulkEncodingOptions } from '../../../../src/sinks/elasticsearch/bulk-encoder';
import { IndexTemplate } from '../../../../src/sinks/elasticsearch/index-template';
import { buildRequests } from '../../../../operators/encode-requests';
import { gzipCodec } from '../../../../operators/compress';

const clock = (): string => '2031-07-08T09:10:11.000Z';

function encoding(options: Partial<Omit<BulkEncodingOptions, 'index'>> & { index?: string } = {}): BulkEncoding {
  return new BulkEncoding({ action: options.action ?? 'index', index: new IndexTemplate(options.index ?? 'logs-%Y.%m.%d'), idField: options.idField, documentId: options.documentId ?? 'hash' });
}

/** The action lines of an encoded body, parsed. */
function actions(body: string): Array<Record<string, { _index: string; _id?: string }>> {
  return body
    .split('\n')
    .filter((_, i) => i % 2 === 0)
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, { _index: string; _id?: string }>);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

describe('BulkEncoding', () => {
  it('encodes an action line then the document, with the dated index and a SHA-256 id of the document', () => {
    const event = { timestamp: '2024-05-01T10:00:00.000Z', message: 'hello "quoted"' };
    const line = encoding().forSend(clock).encode(event);
    const [action, document, end] = line.split('\n');
    expect(end).toBe('');
    expect(JSON.parse(document)).toEqual(event);
    expect(JSON.parse(action)).toEqual({ index: { _index: 'logs-2024.05.01', _id: sha256(document) } });
  });

  it('writes create actions when asked', () => {
    const line = encoding({ action: 'create' }).forSend(clock).encode({ message: 'x' });
    expect(Object.keys(JSON.parse(line.split('\n')[0]) as object)).toEqual(['create']);
  });

  it('gives the same document the same id in every send, so a resend overwrites instead of duplicating', () => {
    const sink = encoding();
    const first = sink.forSend(clock).encode({ timestamp: '2024-05-01T10:00:00Z', message: 'a' });
    const again = sink.forSend(clock).encode({ timestamp: '2024-05-01T10:00:00Z', message: 'a' });
    expect(again).toBe(first);
  });

  it('tells apart identical lines at different source positions', () => {
    const sink = encoding().forSend(clock);
    const at = (offset: number): LogEvent => {
      const event: LogEvent = { timestamp: '2024-05-01T10:00:00Z', message: 'heartbeat' };
      setEventMeta(event, { path: '/var/log/app.log', offset });
      return event;
    };
    const [a, b] = [sink.encode(at(0)), sink.encode(at(10))];
    expect(actions(a)[0].index._id).not.toBe(actions(b)[0].index._id);
    expect(encoding().forSend(clock).encode(at(10))).toBe(b);
  });

  it('suffixes twins within one send and keeps the suffix when the twin is resent alone', () => {
    const sink = encoding();
    const one: LogEvent = { timestamp: '2024-05-01T10:00:00Z', message: 'same' };
    const two: LogEvent = { ...one };
    const send = sink.forSend(clock);
    const first = actions(send.encode(one))[0].index._id as string;
    const second = actions(send.encode(two))[0].index._id as string;
    expect(second).toBe(`${first}~1`);
    // Encoding the same object again in the same send (a request split after compression) keeps its id.
    expect(actions(send.encode(two))[0].index._id).toBe(second);
    expect(actions(send.encode(one))[0].index._id).toBe(first);
    // The retry stage resends only `two`: it must not take `one`'s id.
    expect(actions(sink.forSend(clock).encode(two))[0].index._id).toBe(second);
  });

  it('takes the id from id_field, and falls back to the hash when the event has none', () => {
    const sink = encoding({ idField: 'event.id' }).forSend(clock);
    expect(actions(sink.encode({ event: { id: 'abc-1' } }))[0].index._id).toBe('abc-1');
    expect(actions(sink.encode({ event: { id: 7 } }))[0].index._id).toBe('7');
    expect(actions(sink.encode({ event: {} }))[0].index._id).toHaveLength(43);
  });

  it('leaves the id to Elasticsearch with document_id: auto', () => {
    const line = encoding({ documentId: 'auto' }).forSend(clock).encode({ message: 'x' });
    expect(JSON.parse(line.split('\n')[0])).toEqual({ index: { _index: 'logs-2031.07.08' } });
  });

  it('escapes index names and ids as JSON strings', () => {
    const line = encoding({ index: 'logs-{{ team }}', idField: 'id' }).forSend(clock).encode({ team: 'a"b\\c', id: 'x"y' });
    expect(JSON.parse(line.split('\n')[0])).toEqual({ index: { _index: 'logs-a"b\\c', _id: 'x"y' } });
  });

  it('remembers the index of each encoded event for the per-index metric', () => {
    const send = encoding({ index: 'logs-{{ service }}' }).forSend(clock);
    const event = { service: 'api' };
    send.encode(event);
    expect(send.indexOf(event)).toBe('logs-api');
    expect(send.indexOf({ service: 'api' })).toBeUndefined();
  });

  it('through the shared request builder: splits between pairs, compresses, and fails only the unencodable events', async () => {
    const events: LogEvent[] = Array.from({ length: 40 }, (_, i) => ({ timestamp: '2024-05-01T10:00:00Z', service: 'api', message: `line ${i} ${'x'.repeat(100)}` }));
    events[5] = { timestamp: '2024-05-01T10:00:00Z', message: 'no service' };
    (events[7] as Record<string, unknown>).big = BigInt(1) as unknown as string;
    const encoder = encoding({ index: 'logs-{{ service }}-%Y' }).forSend(clock);
    const { requests, failures } = await buildRequests(events, { encoder, maxBytes: 2048, codec: gzipCodec });
    expect(failures.map((f) => [f.index, f.retryable])).toEqual([
      [5, false],
      [7, false],
    ]);
    expect(failures[0].error.message).toContain('needs field "service"');
    expect(requests.length).toBeGreaterThan(1);
    const sent: number[] = [];
    for (const request of requests) {
      expect(request.payload.length).toBeLessThanOrEqual(2048);
      const body = (await gzipCodec.decompress(request.payload)).toString('utf8');
      const lines = body.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(request.indices.length * 2);
      request.indices.forEach((index, k) => {
        expect(JSON.parse(lines[2 * k + 1])).toEqual(JSON.parse(JSON.stringify(events[index])));
        expect(JSON.parse(lines[2 * k])).toMatchObject({ index: { _index: 'logs-api-2024' } });
      });
      sent.push(...request.indices);
    }
    expect(sent).toEqual(events.map((_, i) => i).filter((i) => i !== 5 && i !== 7));
  });
});
