import { gunzipSync, inflateSync } from 'node:zlib';
import type { LogEvent } from '../../../src/core/event';
import { setEventMeta } from '../../../src/core/event';
import { DeliveryError } from '../../../src/core/errors';
import { checkCompressionLevel, CodecRegistry, compressionCodecs, deflateCodec, gzipCodec, noCompression } from '../../../operators/compress';
import { ENCODERS, encodeRequests, type EncodedRequest } from '../../../operators/encode';
import { buildRequests } from '../../../operators/encode-requests';

const events = (count: number, size = 10): LogEvent[] => Array.from({ length: count }, (_, i) => ({ message: `${i}`.padStart(size, 'x') }));
const text = (request: EncodedRequest): string => request.payload.toString('utf8');
const deep = (depth: number): LogEvent => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as LogEvent;
const cyclic = (): LogEvent => {
  const event: LogEvent = { message: 'loop' };
  (event as Record<string, unknown>).self = event;
  return event;
};

describe('encoders', () => {
  it('encode ndjson as one object per line without event metadata', () => {
    const event: LogEvent = { message: 'a\nb', n: 1 };
    setEventMeta(event, { path: '/var/log/x' });
    expect(ENCODERS.ndjson.encode(event)).toBe('{"message":"a\\nb","n":1}\n');
  });

  it('encode text as the message only, falling back to JSON without a string message', () => {
    expect(ENCODERS.text.encode({ message: 'plain', level: 'x' })).toBe('plain\n');
    expect(ENCODERS.text.encode({ level: 'x' })).toBe('{"level":"x"}\n');
  });

  it('frame a json_array request as one JSON array', () => {
    const { requests } = encodeRequests([{ a: 1 }, { b: 2 }], { encoder: ENCODERS.json_array, maxBytes: 1000 });
    expect(JSON.parse(text(requests[0]))).toEqual([{ a: 1 }, { b: 2 }]);
  });
});

describe('encodeRequests', () => {
  it('makes one request of a batch that fits, carrying every index', () => {
    const { requests, failures } = encodeRequests(events(3), { encoder: ENCODERS.text, maxBytes: 1000 });
    expect(failures).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(requests[0].indices).toEqual([0, 1, 2]);
    expect(text(requests[0])).toBe('xxxxxxxxx0\nxxxxxxxxx1\nxxxxxxxxx2\n');
    expect(requests[0].encodedBytes).toBe(33);
  });

  it('splits by encoded bytes so that no request exceeds maxBytes, keeping the order and indices', () => {
    // Each line is 11 bytes: 3 fit in 35 bytes, not 4.
    const { requests } = encodeRequests(events(7), { encoder: ENCODERS.text, maxBytes: 35 });
    expect(requests.map((request) => request.indices)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(requests.every((request) => request.payload.length <= 35)).toBe(true);
    expect(requests.map(text).join('')).toBe(events(7).map((event) => `${String(event.message)}\n`).join(''));
  });

  it('counts UTF-8 bytes, not characters, when splitting', () => {
    const wide: LogEvent[] = [{ message: 'ééééé' }, { message: 'ééééé' }]; // 5 chars, 11 bytes with the newline
    const { requests } = encodeRequests(wide, { encoder: ENCODERS.text, maxBytes: 15 });
    expect(requests.map((request) => request.indices)).toEqual([[0], [1]]);
    expect(requests.map((request) => request.payload.length)).toEqual([11, 11]);
  });

  it('counts the array framing and separators in a json_array request', () => {
    const input = [{ n: 1 }, { n: 2 }, { n: 3 }]; // {"n":1} is 7 bytes: [a,b] = 17
    const { requests } = encodeRequests(input, { encoder: ENCODERS.json_array, maxBytes: 17 });
    expect(requests.map(text)).toEqual(['[{"n":1},{"n":2}]', '[{"n":3}]']);
  });

  it('fails an event larger than maxBytes alone and permanently, sending the rest', () => {
    const input = [{ message: 'ok' }, { message: 'x'.repeat(100) }, { message: 'ok2' }];
    const { requests, failures } = encodeRequests(input, { encoder: ENCODERS.text, maxBytes: 20 });
    // The body is sliced, never copied: an oversize event ends the request before it.
    expect(requests.map((request) => request.indices)).toEqual([[0], [2]]);
    expect(failures.map((failure) => [failure.index, failure.retryable])).toEqual([[1, false]]);
    expect(failures[0].error.message).toMatch(/101 bytes .* more than batch.max_bytes \(20\)/);
  });

  it('fails only the events that cannot be encoded (BigInt, cycle, 100,000 levels deep), permanently, with their indices', () => {
    const input: LogEvent[] = [{ message: 'a' }, { n: 1n as unknown as number }, cyclic(), { message: 'b' }, deep(100_000), { message: 'c' }];
    const { requests, failures } = encodeRequests(input, { encoder: ENCODERS.ndjson, maxBytes: 1000 });
    expect(requests.map((request) => request.indices)).toEqual([[0, 3, 5]]);
    expect(text(requests[0]).trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([{ message: 'a' }, { message: 'b' }, { message: 'c' }]);
    expect(failures.map((failure) => failure.index)).toEqual([1, 2, 4]);
    expect(failures.every((failure) => failure.error instanceof DeliveryError && !failure.retryable)).toBe(true);
    expect(failures[2].error.message).toMatch(/cannot be encoded as ndjson: Maximum call stack/);
  });

  it('encodes only the selected positions and reports positions in the whole batch', () => {
    const { requests } = encodeRequests(events(6), { encoder: ENCODERS.text, maxBytes: 1000 }, [1, 4, 5]);
    expect(requests[0].indices).toEqual([1, 4, 5]);
    expect(text(requests[0])).toBe('xxxxxxxxx1\nxxxxxxxxx4\nxxxxxxxxx5\n');
  });

  it('returns no request when nothing could be encoded', () => {
    expect(encodeRequests([cyclic()], { encoder: ENCODERS.ndjson, maxBytes: 1000 }).requests).toEqual([]);
  });
});

describe('buildRequests', () => {
  const input = events(500, 40);

  it('round-trips gzip: the decompressed requests are exactly the encoded events', async () => {
    const { requests } = await buildRequests(input, { encoder: ENCODERS.ndjson, maxBytes: 1 << 20, codec: gzipCodec });
    expect(requests).toHaveLength(1);
    expect(requests[0].payload.length).toBeLessThan(requests[0].encodedBytes);
    expect(gunzipSync(requests[0].payload).toString()).toBe(input.map((event) => JSON.stringify(event) + '\n').join(''));
    expect((await gzipCodec.decompress(requests[0].payload)).length).toBe(requests[0].encodedBytes);
  });

  it('round-trips deflate (the zlib format) at a chosen level', async () => {
    const { requests } = await buildRequests(input, { encoder: ENCODERS.text, maxBytes: 1 << 20, codec: deflateCodec, level: 9 });
    expect(inflateSync(requests[0].payload).toString()).toBe(input.map((event) => `${String(event.message)}\n`).join(''));
  });

  it('leaves the encoded body as it is without a codec', async () => {
    const { requests } = await buildRequests(input, { encoder: ENCODERS.text, maxBytes: 1 << 20, codec: noCompression });
    expect(requests[0].payload.length).toBe(requests[0].encodedBytes);
  });

  it('halves a request whose compressed body is still over maxBytes (incompressible data)', async () => {
    const random: LogEvent[] = Array.from({ length: 8 }, () => ({ message: Buffer.from(Array.from({ length: 60 }, () => Math.floor(Math.random() * 256))).toString('base64') }));
    // 81 encoded bytes each: 3 fit in 250 encoded, but gzip cannot shrink random base64 enough.
    const { requests, failures } = await buildRequests(random, { encoder: ENCODERS.text, maxBytes: 250, codec: gzipCodec });
    expect(failures).toEqual([]);
    expect(requests.every((request) => request.payload.length <= 250)).toBe(true);
    expect(requests.flatMap((request) => request.indices)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(requests.map((request) => gunzipSync(request.payload).toString()).join('')).toBe(random.map((event) => `${String(event.message)}\n`).join(''));
  });

  it('fails an event whose compressed body alone exceeds maxBytes, permanently', async () => {
    const { requests, failures } = await buildRequests([{ message: 'abcdefghij' }], { encoder: ENCODERS.text, maxBytes: 12, codec: gzipCodec });
    expect(requests).toEqual([]);
    expect(failures.map((failure) => [failure.index, failure.retryable])).toEqual([[0, false]]);
  });
});

describe('compression codecs', () => {
  it('are registered by name, and an unknown or duplicate name is refused', () => {
    expect(compressionCodecs.names()).toEqual(['none', 'gzip', 'deflate', 'snappy', 'lz4', 'zstd']);
    expect(compressionCodecs.get('gzip')).toBe(gzipCodec);
    expect(() => compressionCodecs.get('brotli')).toThrow(/unknown compression "brotli"; known: none, gzip, deflate, snappy, lz4, zstd/);
    expect(() => new CodecRegistry().register(gzipCodec, gzipCodec)).toThrow(/already registered/);
  });

  it('check a level against the codec range', () => {
    expect(checkCompressionLevel(gzipCodec, 9)).toBeUndefined();
    expect(checkCompressionLevel(gzipCodec, 10)).toMatch(/from 0 to 9/);
    expect(checkCompressionLevel(noCompression, 1)).toMatch(/has no level/);
    expect(checkCompressionLevel(noCompression, undefined)).toBeUndefined();
  });
});
