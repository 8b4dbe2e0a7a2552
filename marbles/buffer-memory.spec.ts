import { map, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { memoryBuffer, type MemoryBufferOptions } from '../operators/buffer/memory';
import { BufferAbandonedError, BufferFullError } from '../operators/buffer/policy';
import type { Batch } from '../src/core/batch';
import { BatchDeliveryError } from '../src/core/errors';
import { acknowledge, AckRecorder, messagesOf } from '../test/helpers/batches';

describe('memoryBuffer', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;
  let discarded: Record<string, number>;
  let failed: number;
  let abandoned: number;
  let utilisation: number[];

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
    discarded = {};
    failed = 0;
    abandoned = 0;
    utilisation = [];
  });

  const buffer = (options: Partial<MemoryBufferOptions> = {}) =>
    memoryBuffer({
      maxEvents: 100,
      maxBytes: 1024 * 1024,
      emitMaxEvents: 1,
      hooks: {
        onDiscard: (reason, count) => (discarded[reason] = (discarded[reason] ?? 0) + count),
        onDeliveryFailed: (count) => (failed += count),
        onAbandoned: (count) => (abandoned += count),
        onUtilisation: (fraction) => utilisation.push(fraction),
      },
      ...options,
    });

  /** A downstream that resolves each batch's ack `frames` after it arrives: a slow sink. */
  const ackAfter = (frames: number): MonoTypeOperatorFunction<Batch> =>
    tap((batch) => testScheduler.schedule(() => batch.ack.resolve(), frames));

  const one = (label: string) => acks.batch(label, label);

  it('completes without emitting when the source is empty', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Batch>('|');
      expectObservable(source.pipe(buffer(), map(messagesOf))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('emits nothing and stays subscribed when the source never emits', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Batch>('-');
      expectObservable(source.pipe(buffer(), map(messagesOf))).toBe('-');
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('acks a single batch upstream at once and emits it under its own ack', () => {
    const emitted: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', '1', '2') });
      // Not complete while the batch it emitted is unsettled: it may still have to redeliver it.
      const expected = '     -x--';
      expectObservable(source.pipe(buffer(), tap((out) => emitted.push(out)), map(messagesOf))).toBe(expected, { x: '1,2' });
    });
    expect(acks.state('a')).toBe('resolved');
    expect(emitted[0].ack.settled).toBe(false);
    emitted[0].ack.resolve();
  });

  it('passes many batches straight through while the downstream keeps up', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-c-|', { a: one('a'), b: one('b'), c: one('c') });
      const expected = '     -a-b-c-|';
      expectObservable(source.pipe(buffer(), acknowledge(), map(messagesOf))).toBe(expected, { a: 'a', b: 'b', c: 'c' });
    });
    expect(acks.pending()).toEqual([]);
  });

  it('keeps at most maxInFlight batches unacknowledged downstream, emitting the next as acks settle', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -abcd|', { a: one('a'), b: one('b'), c: one('c'), d: one('d') });
      const expected = '     -ab---cd----|';
      expectObservable(source.pipe(buffer({ maxInFlight: 2 }), ackAfter(5), map(messagesOf))).toBe(expected, { a: 'a', b: 'b', c: 'c', d: 'd' });
    });
    expect(acks.pending()).toEqual([]);
  });

  it('merges queued batches into one downstream batch up to emitMaxEvents', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -ab-c--|', { a: one('a'), b: one('b'), c: one('c') });
      const expected = '     -a---x---|';
      const result = source.pipe(buffer({ maxInFlight: 1, emitMaxEvents: 10 }), ackAfter(4), map(messagesOf));
      expectObservable(result).toBe(expected, { a: 'a', x: 'b,c' });
    });
  });

  it('drains everything it holds when the source completes, then completes', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -abc|', { a: one('a'), b: one('b'), c: one('c') });
      const expected = '     -a---b---c---|';
      expectObservable(source.pipe(buffer({ maxInFlight: 1 }), ackAfter(4), map(messagesOf))).toBe(expected, { a: 'a', b: 'b', c: 'c' });
    });
  });

  it('drop_newest: acks and counts an incoming batch that does not fit', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -abcd|', { a: one('a'), b: one('b'), c: one('c'), d: one('d') });
      const expected = '     -a---b---c---|';
      const result = source.pipe(buffer({ maxEvents: 2, maxInFlight: 1, whenFull: 'drop_newest' }), ackAfter(4), map(messagesOf));
      expectObservable(result).toBe(expected, { a: 'a', b: 'b', c: 'c' });
    });
    expect(acks.states('a', 'b', 'c', 'd')).toEqual({ a: 'resolved', b: 'resolved', c: 'resolved', d: 'resolved' });
    expect(discarded).toEqual({ drop_newest: 1 });
  });

  it('reject: refuses an incoming batch that does not fit, rejecting its ack with BufferFullError', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -abcd|', { a: one('a'), b: one('b'), c: one('c'), d: one('d') });
      const expected = '     -a---b---c---|';
      const result = source.pipe(buffer({ maxEvents: 2, maxInFlight: 1, whenFull: 'reject' }), ackAfter(4), map(messagesOf));
      expectObservable(result).toBe(expected, { a: 'a', b: 'b', c: 'c' });
    });
    expect(acks.states('a', 'b', 'c', 'd')).toEqual({ a: 'resolved', b: 'resolved', c: 'resolved', d: 'rejected' });
    expect(acks.reason('d')).toBeInstanceOf(BufferFullError);
    expect(discarded).toEqual({});
  });

  it('drop_oldest: evicts and counts the oldest queued events to make room', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -abcd|', { a: one('a'), b: one('b'), c: one('c'), d: one('d') });
      const expected = '     -a---c---d---|';
      const result = source.pipe(buffer({ maxEvents: 2, maxInFlight: 1, whenFull: 'drop_oldest' }), ackAfter(4), map(messagesOf));
      expectObservable(result).toBe(expected, { a: 'a', c: 'c', d: 'd' });
    });
    expect(acks.pending()).toEqual([]);
    expect(discarded).toEqual({ drop_oldest: 1 });
  });

  it('drop_oldest: trims the oldest queued batch instead of dropping it whole', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -abc|', { a: one('a'), b: acks.batch('b', '1', '2', '3'), c: one('c') });
      const expected = '     -a---x---y---|';
      const result = source.pipe(buffer({ maxEvents: 3, maxInFlight: 1, whenFull: 'drop_oldest' }), ackAfter(4), map(messagesOf));
      expectObservable(result).toBe(expected, { a: 'a', x: '2,3', y: 'c' });
    });
    expect(discarded).toEqual({ drop_oldest: 1 });
  });

  it('sample: above the high-water mark keeps one incoming event in sampleRate and counts the rest', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: one('a'), b: acks.batch('b', '1', '2', '3', '4', '5'), c: acks.batch('c', '6', '7', '8', '9') };
      const source = cold('  -abc------|', values);
      const expected = '     -a 9ms x 9ms |';
      const options = { maxEvents: 10, maxInFlight: 1, emitMaxEvents: 100, whenFull: 'sample' as const, sampleRate: 2, sampleHighWater: 0.5 };
      expectObservable(source.pipe(buffer(options), ackAfter(10), map(messagesOf))).toBe(expected, { a: 'a', x: '1,2,3,4,5,6,8' });
    });
    expect(acks.pending()).toEqual([]);
    expect(discarded).toEqual({ sampled: 2 });
  });

  it('block: holds the upstream ack of a batch that does not fit until there is room', () => {
    const heldAtEmit: string[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -abcd|', { a: one('a'), b: one('b'), c: one('c'), d: one('d') });
      const expected = '     -a---b---c---d---|';
      const result = source.pipe(
        buffer({ maxEvents: 2, maxInFlight: 1, whenFull: 'block' }),
        tap(() => heldAtEmit.push(acks.state('d'))),
        ackAfter(4),
        map(messagesOf),
      );
      expectObservable(result).toBe(expected, { a: 'a', b: 'b', c: 'c', d: 'd' });
    });
    expect(heldAtEmit).toEqual(['pending', 'pending', 'resolved', 'resolved']);
    expect(discarded).toEqual({});
  });

  it('admits one batch larger than the bounds when empty, rather than blocking forever', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', '1', '2', '3') });
      expectObservable(source.pipe(buffer({ maxEvents: 2, emitMaxEvents: 10 }), acknowledge(), map(messagesOf))).toBe('-x-|', { x: '1,2,3' });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('reports its utilisation as events come and go', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -abc|', { a: one('a'), b: one('b'), c: one('c') });
      const result = source.pipe(buffer({ maxEvents: 4, maxInFlight: 1 }), ackAfter(4), map(messagesOf));
      expectObservable(result).toBe('-a---b---c---|', { a: 'a', b: 'b', c: 'c' });
    });
    expect(utilisation).toEqual([0, 0.25, 0.5, 0.25, 0]);
  });

  it('counts the events a downstream rejects; the upstream stays acked', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', '1', '2') });
      const reject = tap((batch: Batch) => batch.ack.reject(new BatchDeliveryError([{ index: 1, error: new Error('refused'), retryable: false }], 2)));
      expectObservable(source.pipe(buffer(), reject, map(messagesOf))).toBe('-x-|', { x: '1,2' });
    });
    expect(acks.state('a')).toBe('resolved');
    expect(failed).toBe(1);
  });

  it('drains what it holds, then forwards a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -ab#', { a: one('a'), b: one('b') }, failure);
      const expected = '     -a---(b#)';
      expectObservable(source.pipe(buffer({ maxInFlight: 1 }), ackAfter(4), map(messagesOf))).toBe(expected, { a: 'a', b: 'b' }, failure);
    });
  });

  it('rejects the upstream acks it holds when unsubscribed early, and tears down its source', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -abcd---', { a: one('a'), b: one('b'), c: one('c'), d: one('d') });
      const unsub = '        ^------!';
      const subs = '         ^------!';
      const result = source.pipe(buffer({ maxEvents: 2, maxInFlight: 1, whenFull: 'block' }), map(messagesOf));
      expectObservable(result, unsub).toBe('-a------', { a: 'a' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.states('a', 'b', 'c', 'd')).toEqual({ a: 'resolved', b: 'resolved', c: 'resolved', d: 'rejected' });
    expect(acks.reason('d')).toBeInstanceOf(BufferAbandonedError);
    expect(abandoned).toBe(2);
  });

  it('keeps buffering when a hook throws', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -abc|', { a: one('a'), b: one('b'), c: one('c') });
      const hooks = {
        onDiscard: () => {
          throw new Error('metrics broke');
        },
      };
      const result = source.pipe(buffer({ maxEvents: 1, maxInFlight: 1, whenFull: 'drop_newest', hooks }), ackAfter(4), map(messagesOf));
      expectObservable(result).toBe('-a---b---|', { a: 'a', b: 'b' });
    });
    expect(acks.pending()).toEqual([]);
  });

  it('refuses bounds below 1', () => {
    expect(() => memoryBuffer({ maxEvents: 0, maxBytes: 10 })).toThrow(RangeError);
    expect(() => memoryBuffer({ maxEvents: 10, maxBytes: 10, maxInFlight: 0 })).toThrow(RangeError);
  });
});
