import { TestScheduler } from 'rxjs/testing';
import { createBatch } from '../../../src/core/batch';
import { DELIVERED } from '../../../src/core/sink';
import { blackholeSink, createBlackholeSink, type BlackholeSink } from '../../../src/sinks/blackhole';
import type { Logger } from '../../../src/observability/logger';
import { parseConfig, testContext } from '../../helpers/context';

/** What deliver hands every send; these tests call sinks directly. */
const SEND = { signal: new AbortController().signal };

describe('blackholeSink', () => {
  it('counts events, bytes and batches and delivers at once', async () => {
    const sink = createBlackholeSink();
    await expect(sink.send(createBatch([{ message: 'a' }, { message: 'b' }], undefined, 10), SEND)).resolves.toBe(DELIVERED);
    await sink.send(createBatch([{ message: 'c' }], undefined, 5), SEND);
    expect([sink.events, sink.bytes, sink.batches]).toEqual([3, 15, 2]);
  });

  it('logs the rate every print_interval on its scheduler and stops at close', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const lines: unknown[] = [];
    const logger = { info: (fields: unknown) => lines.push(fields) } as unknown as Logger;
    scheduler.run(({ flush }) => {
      const sink = createBlackholeSink({ printIntervalMs: 1000, logger, scheduler });
      void sink.send(createBatch([{ message: 'a' }, { message: 'b' }], undefined, 100), SEND);
      scheduler.schedule(() => void sink.close(), 2500);
      flush();
    });
    expect(lines).toEqual([
      { events: 2, events_per_second: 2, bytes_per_second: 100 },
      { events: 2, events_per_second: 0, bytes_per_second: 0 },
    ]);
  });

  it('round-trips its example config with printing off by default, and accepts a duration string', () => {
    expect(parseConfig(blackholeSink, blackholeSink.example)).toEqual(expect.objectContaining({ print_interval: 0 }));
    const config = parseConfig(blackholeSink, { print_interval: '10s' });
    expect(config.print_interval).toBe(10_000);
    const sink = blackholeSink.create(config, testContext({ kind: 'sink' }));
    return sink.close();
  });

  it('encodes nothing by default (it is the benchmark sink), and builds real requests when given an encoding', async () => {
    const plain = blackholeSink.create(parseConfig(blackholeSink, {}), testContext({ kind: 'sink' })) as BlackholeSink;
    await plain.send(createBatch([{ message: 'a' }]), SEND);
    expect(plain.encodedBytes).toBe(0);
    const encoding = blackholeSink.create(parseConfig(blackholeSink, { encoding: 'ndjson', compression: 'gzip' }), testContext({ kind: 'sink' })) as BlackholeSink;
    const result = await encoding.send(createBatch([{ message: 'a' }, { message: 'b', n: 1n as unknown as number }]), SEND);
    expect(encoding.encodedBytes).toBeGreaterThan(0);
    expect(result.failures?.map((failure) => failure.index)).toEqual([1]);
  });
});
