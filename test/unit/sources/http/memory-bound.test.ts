import { request } from 'node:http';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { metricValue } from '../../../helpers/context';
import { startHttp, type RunningSource } from './harness';

const GiB = 1024 ** 3;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
/** Peak heap growth allowed while a 1 GiB body is thrown at a 1 MiB limit. */
const HEAP_BOUND = 48 * 1024 * 1024;

/** 1 GiB of the same 64 KiB chunk, produced lazily (the client holds no more than one chunk). */
function gigabyte(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= GiB) return void this.push(null);
      sent += CHUNK.length;
      this.push(CHUNK);
    },
  });
}

interface Attempt {
  readonly status?: number;
  readonly connection?: string;
  readonly error?: string;
  readonly bytesSent: number;
}

/** Streams `body` at the source; resolves with the answer or the socket error, whichever ends it. */
function attempt(port: number, body: Readable, headers: Record<string, string | number>): Promise<Attempt> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/logs', method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...headers }, agent: false });
    let settled = false;
    const done = (result: Omit<Attempt, 'bytesSent'>) => {
      if (settled) return;
      settled = true;
      body.destroy();
      req.destroy();
      resolve({ ...result, bytesSent: req.socket?.bytesWritten ?? 0 });
    };
    req.on('response', (response) => {
      response.resume();
      done({ status: response.statusCode, connection: response.headers.connection });
    });
    req.on('error', (error) => done({ error: error.message }));
    body.pipe(req);
  });
}

/** Samples heapUsed every 5 ms while `work` runs; returns the peak growth over the start. */
async function peakHeapGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  global.gc?.();
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { result, growth: peak - start };
  } finally {
    clearInterval(sampler);
  }
}

describe('http source memory bound', () => {
  jest.setTimeout(120_000);
  let source: RunningSource;
  beforeAll(async () => {
    source = await startHttp({ max_body_bytes: '1MiB' });
    source.autoAck();
  });
  afterAll(async () => source.close());
  const tooLarge = () => metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'too_large' });

  it('refuses a declared 1 GiB body with 413 before reading it, and closes the connection', async () => {
    const { result, growth } = await peakHeapGrowth(() => attempt(source.port, gigabyte(), { 'content-length': GiB }));
    expect(result).toMatchObject({ status: 413, connection: 'close' });
    expect(result.bytesSent).toBeLessThan(64 * 1024 * 1024);
    expect(growth).toBeLessThan(HEAP_BOUND);
  });

  it('stops a chunked 1 GiB body at max_body_bytes with 413 and a closed connection, heap bounded', async () => {
    const before = await tooLarge();
    const { result, growth } = await peakHeapGrowth(() => attempt(source.port, gigabyte(), { 'transfer-encoding': 'chunked' }));
    // The client may see the 413 or, still writing when the server closes, a reset: never an accepted body.
    if (result.status !== undefined) expect(result).toMatchObject({ status: 413, connection: 'close' });
    else expect(result.error).toMatch(/EPIPE|ECONNRESET|socket hang up/);
    expect(result.bytesSent).toBeLessThan(GiB / 4);
    expect(growth).toBeLessThan(HEAP_BOUND);
    expect((await tooLarge()) - before).toBe(1);
    expect(source.batches).toHaveLength(0);
  });

  it('stops a gzip stream of 1 GiB of zeros (a zip bomb) at max_body_bytes of output', async () => {
    const before = await tooLarge();
    const bomb = gigabyte().pipe(createGzip({ level: 1 }));
    const { result, growth } = await peakHeapGrowth(() => attempt(source.port, bomb, { 'transfer-encoding': 'chunked', 'content-encoding': 'gzip' }));
    if (result.status !== undefined) expect(result.status).toBe(413);
    else expect(result.error).toMatch(/EPIPE|ECONNRESET|socket hang up/);
    expect(growth).toBeLessThan(HEAP_BOUND);
    expect((await tooLarge()) - before).toBe(1);
  });
});
