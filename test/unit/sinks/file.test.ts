import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { createBatch } from '../../../src/core/batch';
import { DeliveryError } from '../../../src/core/errors';
import type { LogEvent } from '../../../src/core/event';
import type { Sink } from '../../../src/core/sink';
import { createFileSink, fileSink, type FileSinkOptions } from '../../../src/sinks/file';
import { gzipCodec } from '../../../operators/compress';
import { deferred, settle, until } from '../../helpers/async';
import { parseConfig, testContext } from '../../helpers/context';

const NOW = Date.UTC(2030, 0, 2, 3, 4, 5);
const fixedClock: SchedulerLike = { now: () => NOW, schedule: asyncScheduler.schedule.bind(asyncScheduler) };

let dir: string;
let sinks: Sink[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-file-sink-'));
  sinks = [];
});

afterEach(async () => {
  await Promise.all(sinks.map((sink) => sink.close()));
});

function sink(options: Partial<FileSinkOptions> = {}): Sink {
  const created = createFileSink({ path: join(dir, '%Y-%m-%d/%H.ndjson'), fsync: true, encoding: 'ndjson', maxOpenFiles: 64, scheduler: fixedClock, ...options });
  sinks.push(created);
  return created;
}

const send = (target: Sink, ...events: LogEvent[]) => target.send(createBatch(events), { signal: new AbortController().signal });
const lines = (path: string): unknown[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

describe('fileSink', () => {
  it('writes events of different hours to different hourly files, as valid NDJSON', async () => {
    const a = { timestamp: '2024-03-01T10:59:59.999Z', message: 'a' };
    const b = { timestamp: '2024-03-01T11:00:00.000Z', message: 'b', http: { status: 200 } };
    await send(sink(), a, b);
    expect(lines(join(dir, '2024-03-01/10.ndjson'))).toEqual([a]);
    expect(lines(join(dir, '2024-03-01/11.ndjson'))).toEqual([b]);
  });

  it('appends to an existing file across sends, in order', async () => {
    const target = sink();
    await send(target, { timestamp: '2024-03-01T10:00:00Z', message: 'one' });
    await send(target, { timestamp: '2024-03-01T10:30:00Z', message: 'two' }, { timestamp: '2024-03-01T10:31:00Z', message: 'three' });
    const reopened = sink();
    await send(reopened, { timestamp: '2024-03-01T10:45:00Z', message: 'four' });
    expect(lines(join(dir, '2024-03-01/10.ndjson')).map((event) => (event as LogEvent).message)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('renders the path in UTC from timestamps with an offset', async () => {
    await send(sink(), { timestamp: '2024-03-01T01:15:00+02:00', message: 'x' });
    expect(readdirSync(join(dir, '2024-02-29'))).toEqual(['23.ndjson']);
  });

  it('falls back to the scheduler clock for a missing, unparseable or hostile timestamp', async () => {
    await send(sink(), { message: 'none' }, { timestamp: 'not a time', message: 'bad' }, { timestamp: '../../../etc/passwdZ', message: 'hostile' });
    expect(readdirSync(dir)).toEqual(['2030-01-02']);
    expect(lines(join(dir, '2030-01-02/03.ndjson'))).toHaveLength(3);
  });

  it('writes only the message with the text encoding', async () => {
    await send(sink({ encoding: 'text', path: join(dir, 'out.log') }), { message: 'plain line' }, { level: 'info' });
    expect(readFileSync(join(dir, 'out.log'), 'utf8')).toBe('plain line\n{"level":"info"}\n');
  });

  it('acks the batch only after the file is fsynced when fsync is on, and never fsyncs when it is off', async () => {
    const probe = await open(join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
    await probe.close();
    const realSync = prototype.sync;
    const sync = jest.spyOn(prototype, 'sync');
    try {
      await send(sink({ fsync: false, path: join(dir, 'lazy.ndjson') }), { message: 'x' });
      expect(sync).not.toHaveBeenCalled();
      const gate = deferred<void>();
      sync.mockImplementation(async function (this: unknown) {
        await gate.promise;
        return realSync.call(this);
      });
      let acked = false;
      const sent = send(sink({ fsync: true, path: join(dir, 'durable.ndjson') }), { message: 'y' }).then(() => (acked = true));
      await until(() => sync.mock.calls.length > 0);
      await settle();
      expect(acked).toBe(false);
      gate.resolve();
      await sent;
      expect(acked).toBe(true);
    } finally {
      sync.mockRestore();
    }
  });

  it('throws a non-retryable DeliveryError when the path cannot be created (ENOTDIR)', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const failed = send(sink({ path: join(dir, 'a-file/%Y/%H.ndjson') }), { timestamp: '2024-03-01T10:00:00Z', message: 'x' });
    const error: unknown = await failed.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).retryable).toBe(false);
    expect(((error as DeliveryError).cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });

  it('reports only the events of a file that failed when other files were written', async () => {
    writeFileSync(join(dir, '2024'), 'a file where a directory should be');
    const target = sink({ path: join(dir, '%Y/%H.ndjson') });
    const result = await send(target, { timestamp: '2030-01-01T05:00:00Z', message: 'ok' }, { timestamp: '2024-01-01T05:00:00Z', message: 'bad' });
    expect(result.failures?.map((failure) => [failure.index, failure.retryable])).toEqual([[1, false]]);
    expect(lines(join(dir, '2030/05.ndjson'))).toHaveLength(1);
  });

  it('keeps lines of concurrent sends to one file whole, with fewer open files allowed than files written', async () => {
    const target = sink({ maxOpenFiles: 1, fsync: false });
    const big = 'x'.repeat(4096);
    const sends = Array.from({ length: 8 }, (_, s) =>
      send(target, ...Array.from({ length: 200 }, (_, i) => ({ timestamp: `2024-03-01T1${s % 3}:00:00Z`, message: `${s}-${i}-${big}` }))),
    );
    await Promise.all(sends);
    const all = [10, 11, 12].flatMap((hour) => lines(join(dir, `2024-03-01/${hour}.ndjson`)));
    expect(all).toHaveLength(1600);
  });

  it('rejects an unsupported directive in the path template when created', () => {
    expect(() => sink({ path: join(dir, '%Y/%j.log') })).toThrow(/unsupported directive %j/);
  });

  it('round-trips its example config: hourly NDJSON with fsync and 64 open files by default', () => {
    const config = parseConfig(fileSink, {});
    expect(config).toEqual(expect.objectContaining({ path: 'data/logs/%Y-%m-%d/%H.ndjson', fsync: true, encoding: 'ndjson', max_open_files: 64 }));
    expect(parseConfig(fileSink, fileSink.example).path).toBe('data/logs/%Y-%m-%d/%H.ndjson');
    const created = fileSink.create({ ...config, path: join(dir, 'x.ndjson') }, testContext({ kind: 'sink' }));
    sinks.push(created);
    expect(typeof created.send).toBe('function');
  });

  it('appends one gzip member per send to a compressed file, and zcat reads every line back', async () => {
    const target = sink({ path: join(dir, 'out.ndjson.gz'), codec: gzipCodec, level: 1 });
    await send(target, { message: 'one' }, { message: 'two' });
    await send(target, { message: 'three' });
    const reopened = sink({ path: join(dir, 'out.ndjson.gz'), codec: gzipCodec });
    await send(reopened, { message: 'four' });
    const text = gunzipSync(readFileSync(join(dir, 'out.ndjson.gz'))).toString();
    expect(text.trimEnd().split('\n').map((line) => (JSON.parse(line) as LogEvent).message)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('writes at most maxBytes encoded bytes at a time and fails alone, permanently, an event larger than that', async () => {
    const probe = await open(join(dir, 'probe'), 'w');
    const writes = jest.spyOn(Object.getPrototypeOf(probe) as { write: () => unknown }, 'write');
    await probe.close();
    try {
      const target = sink({ encoding: 'text', path: join(dir, 'out.log'), maxBytes: 16 });
      const result = await send(target, { message: 'aaaa' }, { message: 'bbbb' }, { message: 'x'.repeat(40) }, { message: 'cccc' });
      expect(result.failures?.map((failure) => [failure.index, failure.retryable])).toEqual([[2, false]]);
      expect(readFileSync(join(dir, 'out.log'), 'utf8')).toBe('aaaa\nbbbb\ncccc\n');
      expect(writes.mock.calls.length).toBe(2); // [aaaa bbbb] and [cccc]
    } finally {
      writes.mockRestore();
    }
  });

  it('fails only an event that cannot be encoded, permanently, and writes the others', async () => {
    const target = sink({ path: join(dir, 'out.ndjson') });
    const result = await send(target, { message: 'a' }, { message: 'big', n: 10n as unknown as number }, { message: 'b' });
    expect(result.failures?.map((failure) => [failure.index, failure.retryable])).toEqual([[1, false]]);
    expect(lines(join(dir, 'out.ndjson'))).toEqual([{ message: 'a' }, { message: 'b' }]);
  });

  it('takes encoding, compression and compression_level from the shared sink options, checked by validation', () => {
    const config = parseConfig(fileSink, { compression: 'gzip', compression_level: 9, path: 'x.ndjson.gz' });
    expect(config).toEqual(expect.objectContaining({ encoding: 'ndjson', compression: 'gzip', compression_level: 9, request_timeout: 60_000 }));
    expect(fileSink.check?.(config)).toEqual([]);
    expect(fileSink.check?.({ ...config, compression: 'none' })).toEqual([{ path: ['compression_level'], message: 'compression "none" has no level' }]);
    expect(() => parseConfig(fileSink, { encoding: 'json_array' })).toThrow(/encoding/);
  });
});
