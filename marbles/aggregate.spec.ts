import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { aggregate, AggregateAbandonedError, type AggregateOptions, type Refusal } from '../operators/aggregate/aggregate';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

/** `start+count` of each summary of a batch (event time in ms), comma-separated. */
const show = (batch: Batch): string => batch.events.map((summary) => `${Date.parse((summary.window as { start: string }).start)}+${summary.count}`).join(',');

describe('aggregate', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  /** A batch of events stamped with the given event times (epoch ms). */
  const at = (label: string, ...times: number[]): Batch => createBatch(times.map((ts): LogEvent => ({ ts })), acks.ack(label));
  const tumbling = (extra: Partial<AggregateOptions> = {}): AggregateOptions => ({ windowMs: 10, timestampField: 'ts', scheduler: testScheduler, ...extra });

  itHandlesEmptyAndNever(() => aggregate({ windowMs: 10 }));

  it('emits a window once event time passes its end, and flushes the partial window at completion', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: at('a', 1, 5), b: at('b', 12) });
      const expected = '     ---x-(y|)';
      expectObservable(source.pipe(aggregate(tumbling()), map(show))).toBe(expected, { x: '0+2', y: '10+1' });
    });
    // Acknowledged on consumption (the default): the summaries are new events.
    expect(acks.states('a', 'b')).toEqual({ a: 'resolved', b: 'resolved' });
  });

  it('counts events within the allowed lateness, and counts events later than that as late', () => {
    const refused: Array<[Refusal, number]> = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-c-d-e-|', { a: at('a', 1), b: at('b', 12), c: at('c', 3), d: at('d', 16), e: at('e', 4, 17) });
      const expected = '     -------x---(y|)';
      const hooks = { onRefused: (reason: Refusal, count: number) => refused.push([reason, count]) };
      expectObservable(source.pipe(aggregate(tumbling({ allowedLatenessMs: 5, hooks })), map(show))).toBe(expected, { x: '0+2', y: '10+3' });
    });
    expect(refused).toEqual([['late', 1]]);
  });

  it('puts an event in every sliding window that holds it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: at('a', 7), b: at('b', 12) });
      const expected = '     ---x-(y|)';
      expectObservable(source.pipe(aggregate(tumbling({ slideMs: 5 })), map(show))).toBe(expected, { x: '0+1', y: '5+2,10+1' });
    });
  });

  it('closes the last window on the scheduler clock when no event arrives (idle flush)', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      // Event time 1 in a 10 ms window: 9 ms of quiet move event time past the window's end.
      const source = hot('   -a---', { a: at('a', 1) });
      const expected = '     10ms x';
      expectObservable(source.pipe(aggregate(tumbling()), map(show))).toBe(expected, { x: '0+1' });
    });
  });

  it('flushes its windows before forwarding a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-#', { a: at('a', 1) }, failure);
      expectObservable(source.pipe(aggregate(tumbling()), map(show))).toBe('---(x#)', { x: '0+1' }, failure);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('with on_summary, holds each input ack until the summaries of every window its events joined are delivered', () => {
    const out: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: at('a', 1, 12), b: at('b', 25) });
      const expected = '     -x-y-(z|)';
      const summaries = source.pipe(aggregate(tumbling({ acknowledge: 'on_summary' })), map((batch) => (out.push(batch), show(batch))));
      expectObservable(summaries).toBe(expected, { x: '0+1', y: '10+1', z: '20+1' });
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'pending', b: 'pending' });
    out[0].ack.resolve();
    expect(acks.state('a')).toBe('pending');
    out[1].ack.resolve();
    expect(acks.states('a', 'b')).toEqual({ a: 'resolved', b: 'pending' });
    out[2].ack.reject(new Error('sink refused'));
    expect(acks.state('b')).toBe('rejected');
  });

  it('tears down its source when unsubscribed early, rejecting the acks its open windows held', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b--', { a: at('a', 1), b: at('b', 2) });
      const unsub = '        ^--!';
      expectObservable(source.pipe(aggregate(tumbling({ acknowledge: 'on_summary' })), map(show)), unsub).toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(acks.cause('a')).toBeInstanceOf(AggregateAbandonedError);
    expect(acks.state('b')).toBe('pending');
  });

  it('errors its output when a hook throws, with the input already acknowledged', () => {
    const failure = new Error('hook exploded');
    const hooks = {
      onRefused: () => {
        throw failure;
      },
    };
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([{ message: 'no time' }], acks.ack('a'), 10) });
      expectObservable(source.pipe(aggregate(tumbling({ hooks })), map(show))).toBe('-#', undefined, failure);
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('skips an event whose field throws when read, tells hooks.onError, and counts the rest', () => {
    const errors: unknown[] = [];
    const hostile: LogEvent = { ts: 2 };
    Object.defineProperty(hostile, 'level', { enumerable: true, get: () => { throw new Error('getter exploded'); } });
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([{ ts: 1, level: 'info' }, hostile, { ts: 3, level: 'info' }], acks.ack('a'), 10) });
      const options = tumbling({ groupBy: ['level'], hooks: { onError: (error) => errors.push(error) } });
      expectObservable(source.pipe(aggregate(options), map(show))).toBe('---(x|)', { x: '0+2' });
    });
    expect(errors).toEqual([new Error('getter exploded')]);
  });
});
