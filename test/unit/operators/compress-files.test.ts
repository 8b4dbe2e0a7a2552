import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import type { Sink } from '../../../src/core/sink';
import { fileSink } from '../../../src/sinks/file';
import { compressionCodecs } from '../../../operators/compress';
import { parseConfig, testContext } from '../../helpers/context';

let dir: string;
let sinks: Sink[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-compressed-files-'));
  sinks = [];
});

afterEach(async () => {
  await Promise.all(sinks.map((sink) => sink.close()));
});

/** A file sink built from YAML-shaped options through the real schema, as a pipeline builds it. */
function sink(options: Record<string, unknown>): Sink {
  const config = parseConfig(fileSink, options);
  expect(fileSink.check?.(config)).toEqual([]);
  const created = fileSink.create(config, testContext({ kind: 'sink' }));
  sinks.push(created);
  return created;
}

const send = (target: Sink, events: LogEvent[]) => target.send(createBatch(events), { signal: new AbortController().signal });

/** Events like a service's logs; their NDJSON is what the file must hold, byte for byte. */
const events = (from: number, count: number): LogEvent[] =>
  Array.from({ length: count }, (_, i) => ({ timestamp: '2024-05-01T10:00:00.000Z', level: 'info', message: `GET /api/orders/${from + i} 200`, n: from + i }));
const ndjson = (list: LogEvent[]): string => list.map((event) => `${JSON.stringify(event)}\n`).join('');

describe('file sink with snappy, lz4 and zstd', () => {
  it('writes a .zst file, one frame per write across sends and a reopen, that zstd -d and the codec read back exactly', async () => {
    const path = join(dir, 'out.ndjson.zst');
    // batch.max_bytes 64 KiB splits the large send into several writes, so several frames.
    const first = sink({ path, compression: 'zstd', compression_level: 19, batch: { max_bytes: 65_536 } });
    const sent = [events(0, 3000), events(3000, 1), events(3001, 250)];
    await send(first, sent[0]);
    await send(first, sent[1]);
    await first.close();
    await send(sink({ path, compression: 'zstd' }), sent[2]);
    const expected = ndjson(sent.flat());
    const file = readFileSync(path);
    expect(file.length).toBeLessThan(expected.length / 4);
    expect(execFileSync('zstd', ['-d', '-c', path], { maxBuffer: 64 << 20 }).toString()).toBe(expected);
    expect((await compressionCodecs.get('zstd').decompress(file)).toString()).toBe(expected);
  });

  it.each([
    ['lz4', 'out.ndjson.lz4'],
    ['snappy', 'out.ndjson.sz'],
  ])('writes a %s file, one stream per write, that the codec reads back exactly', async (compression, name) => {
    const path = join(dir, name);
    const target = sink({ path, compression, batch: { max_bytes: 65_536 } });
    const sent = [events(0, 2000), events(2000, 3)];
    for (const list of sent) await send(target, list);
    const expected = ndjson(sent.flat());
    const file = readFileSync(path);
    expect((await compressionCodecs.get(compression).decompress(file)).toString()).toBe(expected);
    if (compression === 'lz4') expect(execFileSync('lz4', ['-d', '-c', path], { maxBuffer: 64 << 20 }).toString()).toBe(expected);
  });

  it('validates the level for each codec through the sink options', () => {
    const check = (options: Record<string, unknown>) => fileSink.check?.(parseConfig(fileSink, { path: 'x', ...options }));
    expect(check({ compression: 'zstd', compression_level: 22 })).toEqual([]);
    expect(check({ compression: 'zstd', compression_level: 0 })).toEqual([{ path: ['compression_level'], message: 'compression "zstd" takes a level from 1 to 22' }]);
    expect(check({ compression: 'lz4', compression_level: 1 })).toEqual([{ path: ['compression_level'], message: 'compression "lz4" has no level' }]);
    expect(check({ compression: 'snappy', compression_level: 1 })).toEqual([{ path: ['compression_level'], message: 'compression "snappy" has no level' }]);
    expect(() => parseConfig(fileSink, { path: 'x', compression: 'brotli' })).toThrow(/compression/);
  });
});
