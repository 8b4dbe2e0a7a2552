import { lastValueFrom, map, tap, toArray, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Batch } from '../../../src/core/batch';
import { generate, generatorSource, type GenerateOptions } from '../../../src/sources/generator';
import { settle, until } from '../../helpers/async';
import { configIssues, parseConfig, testSourceContext } from '../../helpers/context';

const defaults: GenerateOptions = { count: 0, rate: 0, batchSize: 1000, format: 'text' };

/** Runs to completion, acknowledging every batch as it arrives. */
function drain(source: Observable<Batch>): Promise<Batch[]> {
  return lastValueFrom(source.pipe(tap((batch) => batch.ack.resolve()), toArray()));
}

const sequences = (batch: Batch): string => batch.events.map((event) => event.sequence).join(',');

describe('generatorSource', () => {
  it('emits exactly count events, sequence 0..count-1 each once, in batches of batch_size', async () => {
    const batches = await drain(generate(testSourceContext(), { ...defaults, count: 2500 }));
    expect(batches.map((batch) => batch.events.length)).toEqual([1000, 1000, 500]);
    const seen = batches.flatMap((batch) => batch.events.map((event) => event.sequence));
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('builds events with message, one timestamp per batch, host, source and sequence', async () => {
    const ctx = testSourceContext({}, { id: 'demo' });
    const [batch] = await drain(generate(ctx, { ...defaults, count: 3 }));
    const timestamps = new Set(batch.events.map((event) => event.timestamp));
    expect(timestamps.size).toBe(1);
    expect(Number.isNaN(Date.parse(String(batch.events[0].timestamp)))).toBe(false);
    expect(batch.events[0]).toEqual(expect.objectContaining({ source: 'demo', sequence: 0, host: expect.any(String), message: expect.any(String) }));
    expect(batch.bytes).toBeGreaterThan(0);
  });

  it('writes json messages that parse to objects with level, status, duration_ms and user', async () => {
    const [batch] = await drain(generate(testSourceContext(), { ...defaults, count: 50, format: 'json' }));
    for (const event of batch.events) {
      expect(JSON.parse(String(event.message))).toEqual(
        expect.objectContaining({ level: expect.any(String), status: expect.any(Number), duration_ms: expect.any(Number), user: expect.any(String) }),
      );
    }
  });

  it('writes apache_common messages in the Apache common log format, timed from the scheduler', async () => {
    const [batch] = await drain(generate(testSourceContext(), { ...defaults, count: 50, format: 'apache_common' }));
    const common = /^\d+\.\d+\.\d+\.\d+ - \S+ \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "(GET|POST|PUT|DELETE) \S+ HTTP\/1\.1" \d{3} (\d+|-)$/;
    for (const event of batch.events) expect(event.message).toMatch(common);
  });

  it('uses the fixed message for every event when one is given', async () => {
    const [batch] = await drain(generate(testSourceContext(), { ...defaults, count: 4, format: 'json', message: 'hello' }));
    expect(batch.events.map((event) => event.message)).toEqual(['hello', 'hello', 'hello', 'hello']);
  });

  it('paces emission to rate in virtual time and completes after count', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ expectObservable }) => {
      const ctx = testSourceContext({}, { scheduler });
      const source = generate(ctx, { ...defaults, count: 3, rate: 10 });
      expectObservable(source.pipe(map(sequences))).toBe('a 99ms b 99ms (c|)', { a: '0', b: '1', c: '2' });
    });
  });

  it('emits rate × elapsed events per tick when the rate is high, split into batch_size batches', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ expectObservable }) => {
      const ctx = testSourceContext({}, { scheduler });
      const source = generate(ctx, { ...defaults, count: 21, rate: 1000, batchSize: 6 });
      // t=0: 1 event; t=10ms: 10 more (6 + 4); t=20ms: the last 10 (6 + 4), then complete.
      expectObservable(source.pipe(map((batch) => batch.events.length))).toBe('a 9ms (bc) 6ms (de|)', { a: 1, b: 6, c: 4, d: 6, e: 4 });
    });
  });

  it('stalls while acks are withheld and resumes when they resolve', async () => {
    const ctx = testSourceContext({ maxEvents: 2000 });
    const batches: Batch[] = [];
    const subscription = generate(ctx, defaults).subscribe((batch) => batches.push(batch));
    await until(() => batches.length === 2);
    for (let i = 0; i < 20; i++) await settle();
    expect(batches.length).toBe(2);
    expect(ctx.credit.inFlightEvents).toBe(2000);
    batches[0].ack.resolve();
    await until(() => batches.length === 3);
    expect(ctx.credit.peakEvents).toBe(2000);
    subscription.unsubscribe();
  });

  it('completes when the pipeline stops, and emits nothing after', async () => {
    const ctx = testSourceContext({ maxEvents: 5000 });
    const batches: Batch[] = [];
    let completed = false;
    generate(ctx, { ...defaults, rate: 100 }).subscribe({ next: (batch) => batches.push(batch), complete: () => (completed = true) });
    await until(() => batches.length >= 1);
    ctx.stop();
    expect(completed).toBe(true);
    const emitted = batches.length;
    await new Promise((done) => setTimeout(done, 50));
    expect(batches.length).toBe(emitted);
  });

  it('stops its timer when unsubscribed', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ expectObservable }) => {
      const ctx = testSourceContext({}, { scheduler });
      const source = generate(ctx, { ...defaults, rate: 10 });
      expectObservable(source.pipe(map(sequences)), '^ 150ms !').toBe('a 99ms b', { a: '0', b: '1' });
    });
  });

  it('round-trips its example config through the config parser, with documented defaults', async () => {
    const config = parseConfig(generatorSource, generatorSource.example);
    expect(config).toEqual(expect.objectContaining({ count: 10, rate: 0, batch_size: 1000, format: 'text', message: undefined }));
    const batches = await drain(generatorSource.create(config, testSourceContext()));
    expect(batches.flatMap((batch) => batch.events)).toHaveLength(10);
  });

  it('rejects an unknown format with the allowed values', () => {
    expect(configIssues(generatorSource, { format: 'xml' })).toEqual(['format: expected one of text, json, apache_common, got "xml"']);
  });
});
