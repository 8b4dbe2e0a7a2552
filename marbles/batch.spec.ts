import { map, take, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { batch, BatchAbandonedError } from '../operators/batch';
import { createBatch, type Batch } from '../src/core/batch';
import { BatchDeliveryError } from '../src/core/errors';
import { acknowledge, AckRecorder, eventsOf, messagesOf } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

describe('batch', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  const options = (maxEvents: number, maxWaitMs: number, maxBytes?: number) => ({
    maxEvents,
    maxWaitMs,
    maxBytes,
    scheduler: testScheduler,
  });

  itHandlesEmptyAndNever(() => batch(options(3, 5)));

  it('emits a single small batch maxWaitMs after it arrived', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a 9ms |', { a: acks.batch('a', '1') });
      const expected = '     - 5ms x 4ms |';
      expectObservable(source.pipe(batch(options(3, 5)), acknowledge(), map(messagesOf))).toBe(expected, { x: '1' });
    });
    expect(acks.states('a')).toEqual({ a: 'resolved' });
  });

  it('merges many small batches into batches of maxEvents, and flushes the rest on its timer', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: acks.batch('a', '1'), b: acks.batch('b', '2', '3'), c: acks.batch('c', '4') };
      const source = cold('  -a-b-c----------|', values);
      const expected = '     ---x------y-----|';
      expectObservable(source.pipe(batch(options(3, 5)), acknowledge(), map(messagesOf))).toBe(expected, { x: '1,2,3', y: '4' });
    });
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'resolved', b: 'resolved', c: 'resolved' });
  });

  it('combines the acks of the merged batches: the output ack settles every part with its outcome', () => {
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: acks.batch('a', '1'), b: acks.batch('b', '2') });
      const expected = '     -----(x|)';
      expectObservable(source.pipe(batch(options(3, 5)), tap((out) => outputs.push(out)), map(messagesOf))).toBe(expected, { x: '1,2' });
    });
    expect(acks.pending()).toEqual(['a', 'b']);
    const failure = new Error('sink refused');
    outputs[0].ack.reject(failure);
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
    expect(acks.cause('a')).toBe(failure);
    expect(acks.cause('b')).toBe(failure);
  });

  it('emits once a batch holds maxBytes, carrying the bytes of its parts', () => {
    const sizes: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const values = {
        a: createBatch(eventsOf('1'), acks.ack('a'), 40),
        b: createBatch(eventsOf('2'), acks.ack('b'), 40),
        c: createBatch(eventsOf('3'), acks.ack('c'), 40),
      };
      const source = cold('  -a-b-c-|', values);
      const expected = '     -----x-|';
      const result = source.pipe(batch(options(100, 50, 100)), tap((out) => sizes.push(out.bytes)), acknowledge(), map(messagesOf));
      expectObservable(result).toBe(expected, { x: '1,2,3' });
    });
    expect(sizes).toEqual([120]);
    expect(acks.pending()).toEqual([]);
  });

  it('flushes a partial batch maxWaitMs after its first event, not after its last', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  a-b-c-----|', { a: acks.batch('a', '1'), b: acks.batch('b', '2'), c: acks.batch('c', '3') });
      const expected = '     -----x----|';
      expectObservable(source.pipe(batch(options(10, 5)), acknowledge(), map(messagesOf))).toBe(expected, { x: '1,2,3' });
    });
    expect(acks.pending()).toEqual([]);
  });

  it('starts a fresh timer for the events left over after a size flush', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  a-b 9ms |', { a: acks.batch('a', '1'), b: acks.batch('b', '2', '3') });
      const expected = '     --x 4ms y 4ms |';
      expectObservable(source.pipe(batch(options(2, 5)), acknowledge(), map(messagesOf))).toBe(expected, { x: '1,2', y: '3' });
    });
    expect(acks.pending()).toEqual([]);
  });

  it('splits an oversized input batch into pieces of maxEvents, dividing its bytes among them', () => {
    const sizes: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a------|', { a: createBatch(eventsOf('1', '2', '3', '4', '5'), acks.ack('a'), 100) });
      const expected = '     -(xy)-z-|';
      const result = source.pipe(batch(options(2, 5)), tap((out) => sizes.push(out.bytes)), acknowledge(), map(messagesOf));
      expectObservable(result).toBe(expected, { x: '1,2', y: '3,4', z: '5' });
    });
    expect(sizes).toEqual([40, 40, 20]);
    expect(acks.count('a')).toBe(1);
  });

  it('resolves a split input ack only after every piece has resolved', () => {
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-----|', { a: acks.batch('a', '1', '2', '3', '4', '5') });
      const expected = '     -(xy)--(z|)';
      expectObservable(source.pipe(batch(options(2, 50)), tap((out) => outputs.push(out)), map(messagesOf))).toBe(expected, {
        x: '1,2',
        y: '3,4',
        z: '5',
      });
    });
    outputs[0].ack.resolve();
    outputs[2].ack.resolve();
    expect(acks.state('a')).toBe('pending');
    outputs[1].ack.resolve();
    expect(acks.state('a')).toBe('resolved');
    expect(acks.count('a')).toBe(1);
  });

  it('rejects a split input ack when any one piece is rejected, once all pieces settled', () => {
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a----|', { a: acks.batch('a', '1', '2', '3') });
      const expected = '     -x----(y|)';
      expectObservable(source.pipe(batch(options(2, 50)), tap((out) => outputs.push(out)), map(messagesOf))).toBe(expected, { x: '1,2', y: '3' });
    });
    const failure = new Error('piece 2 failed');
    outputs[1].ack.reject(failure);
    expect(acks.state('a')).toBe('pending');
    outputs[0].ack.resolve();
    expect(acks.state('a')).toBe('rejected');
    expect(acks.cause('a')).toBe(failure);
  });

  // Regression: pieces took their reference lazily, so a downstream that settled the first
  // piece synchronously (a filter dropping it, a synchronous sink) settled the input ack
  // before the later pieces existed, and the next retain() threw AckError.
  it('keeps a split input ack pending while a downstream settles its pieces synchronously', () => {
    const seen: string[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a------|', { a: acks.batch('a', '1', '2', '3', '4', '5') });
      const expected = '     -(xy)-z-|';
      const result = source.pipe(
        batch(options(2, 5)),
        tap((out) => seen.push(`${messagesOf(out)}:${acks.state('a')}`)),
        acknowledge(),
        map(messagesOf),
      );
      expectObservable(result).toBe(expected, { x: '1,2', y: '3,4', z: '5' });
    });
    expect(seen).toEqual(['1,2:pending', '3,4:pending', '5:pending']);
    expect(acks.state('a')).toBe('resolved');
    expect(acks.count('a')).toBe(1);
  });

  // Regression: an input batch with no events was held without a timer, so its ack waited for
  // the next event or the end of the stream, however long that took.
  it('settles the ack of an input batch with no events within maxWaitMs', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -e------', { e: acks.batch('e') });
      const expected = '     ------x-';
      expectObservable(source.pipe(batch(options(3, 5)), acknowledge(), map(messagesOf))).toBe(expected, { x: '' });
    });
    expect(acks.state('e')).toBe('resolved');
  });

  it('flushes what it holds when the source completes', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b|', { a: acks.batch('a', '1'), b: acks.batch('b', '2') });
      const expected = '     ----(x|)';
      expectObservable(source.pipe(batch(options(10, 50)), acknowledge(), map(messagesOf))).toBe(expected, { x: '1,2' });
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'resolved', b: 'resolved' });
  });

  it('flushes what it holds before forwarding a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-#', { a: acks.batch('a', '1') }, failure);
      const expected = '     ---(x#)';
      expectObservable(source.pipe(batch(options(10, 50)), acknowledge(), map(messagesOf))).toBe(expected, { x: '1' }, failure);
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('forwards a source error at once when it holds nothing', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-----#', { a: acks.batch('a', '1') }, failure);
      const subs = '         ^------!';
      const expected = '     ----x--#';
      expectObservable(source.pipe(batch(options(10, 3)), acknowledge(), map(messagesOf))).toBe(expected, { x: '1' }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('rejects the acks it still holds when unsubscribed early, and tears down its source', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a-b------', { a: acks.batch('a', '1'), b: acks.batch('b', '2') });
      const unsub = '        ^----!';
      const subs = '         ^----!';
      const expected = '     ------';
      expectObservable(source.pipe(batch(options(10, 10)), map(messagesOf)), unsub).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
    expect(acks.cause('a')).toBeInstanceOf(BatchAbandonedError);
  });

  it('leaves the acks of batches it already emitted to their holder when unsubscribed', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('   -a-b-c----', { a: acks.batch('a', '1'), b: acks.batch('b', '2'), c: acks.batch('c', '3') });
      const unsub = '        ^-----!';
      const expected = '     ---x---';
      expectObservable(source.pipe(batch(options(2, 10)), acknowledge(), map(messagesOf)), unsub).toBe(expected, { x: '1,2' });
    });
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'resolved', b: 'resolved', c: 'rejected' });
  });

  // Regression: when the consumer unsubscribed on an early piece of a split, the later pieces
  // were still built and their references leaked; the input ack could resolve on the first
  // piece alone although the rest of its events were never emitted.
  it('rejects the unsent remainder of a split batch when the consumer unsubscribes on an earlier piece', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a--', { a: acks.batch('a', '1', '2', '3', '4', '5') });
      const subs = '         ^!';
      const expected = '     -(x|)';
      expectObservable(source.pipe(batch(options(2, 5)), acknowledge(), take(1), map(messagesOf))).toBe(expected, { x: '1,2' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.state('a')).toBe('rejected');
    expect(acks.cause('a')).toBeInstanceOf(BatchAbandonedError);
    expect(acks.count('a')).toBe(1);
  });

  it('refuses a maxEvents below 1', () => {
    expect(() => batch({ maxEvents: 0, maxWaitMs: 5 })).toThrow(RangeError);
  });

  // Regression (issue 7, defect 2): the merged rejection was handed unchanged to every part,
  // so a retry before the re-batch re-sent events that had been delivered and lost others.
  it('tells each input exactly which of its own events failed when a merged batch is rejected', () => {
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: acks.batch('a', '1', '2'), b: acks.batch('b', '3', '4', '5') };
      const source = cold('  -a-b-|', values);
      const expected = '     ---x-(y|)';
      expectObservable(source.pipe(batch(options(3, 5)), tap((out) => outputs.push(out)), map(messagesOf))).toBe(expected, { x: '1,2,3', y: '4,5' });
    });
    const refused = new Error('refused');
    outputs[0].ack.reject(new BatchDeliveryError([{ index: 2, error: refused, retryable: true }], 3)); // event '3' = b[0]
    outputs[1].ack.reject(new BatchDeliveryError([{ index: 1, error: refused, retryable: true }], 2)); // event '5' = b[2]
    expect(acks.states('a', 'b')).toEqual({ a: 'resolved', b: 'rejected' });
    expect(acks.failedIndices('b')).toEqual([0, 2]);
  });

  // Regression (issue 7, defect 4): the output dropped `shared`, so a later map mutated events
  // a sibling branch still read.
  it('keeps the shared flag of its inputs on the merged batch', () => {
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const shared: Batch = { ...acks.batch('a', '1'), shared: true };
      const source = cold('  -a-b-|', { a: shared, b: acks.batch('b', '2') });
      expectObservable(source.pipe(batch(options(2, 5)), acknowledge(), tap((out) => outputs.push(out)), map(messagesOf))).toBe('---x-|', { x: '1,2' });
    });
    expect(outputs[0].shared).toBe(true);
  });

  // Regression (issue 7, defect 6): a buffer or source out of window/credit waited out the
  // whole timeout for every batch.
  it('emits a partial batch at once when the producer of an input it holds urges its ack', () => {
    const a = acks.batch('a', '1');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a 9ms |', { a });
      testScheduler.schedule(() => a.ack.urge(), 3);
      const expected = '     ---x 7ms |';
      expectObservable(source.pipe(batch(options(3, 100)), acknowledge(), map(messagesOf))).toBe(expected, { x: '1' });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('passes an urge on to the holder of a batch it already emitted', () => {
    const a = acks.batch('a', '1', '2');
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a });
      expectObservable(source.pipe(batch(options(2, 5)), tap((out) => outputs.push(out)), map(messagesOf))).toBe('-x-|', { x: '1,2' });
    });
    let urged = 0;
    outputs[0].ack.onUrge(() => (urged += 1));
    a.ack.urge();
    expect(urged).toBe(1);
  });

  it('errors its output, not the process, when its body throws (a batch whose ack already settled)', () => {
    const settled = acks.batch('a', '1');
    settled.ack.resolve();
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: settled });
      expectObservable(source.pipe(batch(options(3, 5)), map(messagesOf))).toBe('-#', undefined, expect.objectContaining({ name: 'AckError' }));
    });
  });
});
