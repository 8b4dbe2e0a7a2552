import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parseCsv } from '../../../../src/sources/http/csv';
import { decodeBody } from '../../../../src/sources/http/formats';
import { normalizeEvent } from '../../../../src/sources/ingest/normalize';
import { metricValue } from '../../../helpers/context';
import { post, startHttp, type RunningSource } from './harness';

const CONTENT_TYPES = ['application/json', 'application/x-ndjson', 'text/csv', 'text/plain'];
const ENCODINGS = ['identity', 'gzip', 'deflate', 'zstd'];

/** Every rejection this source counted, of every reason. */
const rejections = (source: RunningSource) => metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total');

describe('hostile input to the http source', () => {
  jest.setTimeout(60_000);
  let source: RunningSource;
  beforeAll(async () => {
    source = await startHttp({ max_body_bytes: 256 * 1024, max_string_length: 4096 });
    source.autoAck();
  });
  afterAll(async () => source.close());

  /** Posts, and checks the answer is a considered one and that anything not 200 was counted. */
  async function probe(body: Buffer | string, headers: Record<string, string>): Promise<number> {
    const before = await rejections(source);
    const answer = await post(source.port, '/logs', body, headers);
    expect([200, 207, 400, 413, 415]).toContain(answer.status);
    expect(answer.headers['content-type']).toBe('application/json');
    const counted = (await rejections(source)) - before;
    if (answer.status === 200) expect(counted).toBe(0);
    else expect(counted).toBeGreaterThanOrEqual(1);
    if (answer.status === 207 || (answer.status === 400 && answer.body.errors !== undefined)) {
      expect(answer.body.rejected).toBe((answer.body.errors as unknown[]).length);
      for (const error of answer.body.errors as Array<{ index: number; error: string }>) expect(typeof error.error).toBe('string');
    }
    return answer.status;
  }

  it('answers random bytes in any format and coding with a status, never a crash, and counts every rejection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom(...CONTENT_TYPES), fc.constantFrom(...ENCODINGS), async (bytes, type, encoding) => {
        await probe(Buffer.from(bytes), { 'content-type': type, 'content-encoding': encoding });
      }),
      { numRuns: 150 },
    );
  });

  it('answers a truncated gzip body 400', async () => {
    const whole = gzipSync(Array.from({ length: 50 }, (_, i) => JSON.stringify({ message: `line ${i}` })).join('\n'));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: whole.length - 1 }), async (cut) => {
        expect(await probe(whole.subarray(0, cut), { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' })).toBe(400);
      }),
      { numRuns: 40 },
    );
  });

  it('accepts nesting up to max_depth and refuses deeper items one by one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3000 }), async (depth) => {
        const nested = `${'{"a":'.repeat(depth - 1)}1${'}'.repeat(depth - 1)}`;
        const item = `{"message":"deep","n":${nested}}`;
        const status = await probe(`{"message":"shallow"}\n${item}\n`, { 'content-type': 'application/x-ndjson' });
        expect(status).toBe(depth + 1 <= 64 ? 200 : 207);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses strings over max_string_length per item', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10_000 }), async (length) => {
        const status = await probe(JSON.stringify([{ message: 'ok' }, { message: 'x'.repeat(length) }]), { 'content-type': 'application/json' });
        expect(status).toBe(length <= 4096 ? 200 : 207);
      }),
      { numRuns: 30 },
    );
  });

  it('answers wrong types in the well-known fields with per-item errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ message: fc.jsonValue(), timestamp: fc.jsonValue(), level: fc.jsonValue(), host: fc.jsonValue() }, { requiredKeys: [] }),
        async (item) => {
          await probe(JSON.stringify([{ message: 'control' }, item]), { 'content-type': 'application/json' });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('hostile input to the parsers', () => {
  jest.setTimeout(60_000);
  it('normalizeEvent returns an event or an error for anything, never throws', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true }), (value) => {
        const result = normalizeEvent(value, Date.now());
        expect('event' in result || typeof (result as { error: string }).error === 'string').toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('every format decodes any text into items or a body error, never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), fc.constantFrom('json', 'ndjson', 'csv', 'text' as const), (text, format) => {
        const decoded = decodeBody(format, Buffer.from(text));
        expect('items' in decoded || typeof decoded.error === 'string').toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('CSV of random quoted fields round-trips', () => {
    const field = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 10 }), (rows) => {
        const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
        const text = `a,b,c\r\n${rows.map((row) => row.map(quote).join(',')).join('\r\n')}\r\n`;
        const parsed = parseCsv(text);
        if ('error' in parsed) throw new Error(parsed.error);
        expect(parsed.rows.map((row) => ('record' in row ? [row.record.a, row.record.b, row.record.c] : row.error))).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });
});
