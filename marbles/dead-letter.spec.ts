import { map, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { DeadLetterAbandonedError, deadLetter, type DeadLetterOptions } from '../operators/reliability/dead-letter';
import type { Batch } from '../src/core/batch';
import { BatchDeliveryError, DeliveryError } from '../src/core/errors';
import type { DeadLetterEntry } from '../src/dlq/entry';
import type { DeadLetterSink } from '../src/dlq/store';
import { deferred, settle, type Deferred } from '../test/helpers/async';
import { AckRecorder, messagesOf } from '../test/helpers/batches';

// The stream shape runs in TestScheduler virtual time; the store write is a promise, so ack
// outcomes that wait for it are asserted after `settle()`.

/** An in-memory dead-letter queue whose writes succeed at once, fail, or wait for the test. */
class FakeQueue implements DeadLetterSink {
  readonly entries: DeadLetterEntry[] = [];
  readonly pending: Array<Deferred<void>> = [];
  constructor(private readonly mode: 'ok' | 'controlled' | Error = 'ok') {}

  append(entries: readonly DeadLetterEntry[]): Promise<void> {
    if (this.mode instanceof Error) return Promise.reject(this.mode);
    this.entries.push(...entries);
    if (this.mode === 'ok') return Promise.resolve();
    const write = deferred<void>();
    this.pending.push(write);
    return write.promise;
  }

  get messages(): string[] {
    return this.entries.map((entry) => String(entry.event.message));
  }
}

type Verdict = 'deliver' | 'hold' | Error;

/** A downstream that settles each batch's ack as `script` says, at once. */
function scripted(script: (batch: Batch) => Verdict, held: Batch[] = []): MonoTypeOperatorFunction<Batch> {
  return tap((batch) => {
    const verdict = script(batch);
    if (verdict === 'deliver') batch.ack.resolve();
    else if (verdict === 'hold') held.push(batch);
    else batch.ack.reject(verdict);
  });
}

const permanent = new DeliveryError('writing /x failed: ENOTDIR', false);
/** A BatchDeliveryError failing the events at `indices` of a batch of `size`. */
const failedAt = (size: number, indices: number[], attempts?: number) =>
  new BatchDeliveryError(indices.map((index) => ({ index, error: permanent, retryable: false, attempts })), size);

describe('deadLetter', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;
  const options = (extra: Partial<DeadLetterOptions> = {}): DeadLetterOptions => ({ component: 'archive', scheduler: testScheduler, ...extra });

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  it('completes without emitting or writing when the source is empty', () => {
    const queue = new FakeQueue();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Batch>('|');
      const subs = '               (^!)';
      const expected = '           |';
      expectObservable(source.pipe(deadLetter(queue, options()), map(messagesOf))).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(queue.entries).toEqual([]);
  });

  it('emits nothing and stays subscribed when the source never emits', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Batch>('-');
      const subs = '               ^';
      const expected = '           -';
      expectObservable(source.pipe(deadLetter(new FakeQueue(), options()), map(messagesOf))).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('passes a single batch on under its own ack and resolves upstream when that resolves, writing nothing', () => {
    const queue = new FakeQueue();
    const seen: Batch[] = [];
    const input = acks.batch('a', '1', '2');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: input });
      const expected = '     -x-|';
      const output = source.pipe(deadLetter(queue, options()), tap((out) => seen.push(out)), scripted(() => 'deliver'), map(messagesOf));
      expectObservable(output).toBe(expected, { x: '1,2' });
    });
    expect(seen[0].ack).not.toBe(input.ack);
    expect(seen[0].events).toBe(input.events);
    expect(acks.state('a')).toBe('resolved');
    expect(queue.entries).toEqual([]);
  });

  it('writes only the failed events of a BatchDeliveryError, with error, component, attempts and time, then resolves upstream', async () => {
    const queue = new FakeQueue();
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  --a|', { a: acks.batch('a', '0', '1', '2', '3') });
      const expected = '     --x-'; // completes once the write is done, after virtual time
      const output = source.pipe(deadLetter(queue, options()), scripted(() => failedAt(4, [1, 3], 5)), map(messagesOf));
      expectObservable(output).toBe(expected, { x: '0,1,2,3' });
    });
    await settle();
    expect(queue.messages).toEqual(['1', '3']);
    expect(queue.entries[0]).toEqual({ time: new Date(2).toISOString(), component: 'archive', error: permanent.message, attempts: 5, event: { message: '1' } });
    expect(acks.state('a')).toBe('resolved');
  });

  it('counts one attempt for a failure that does not say how many were made', async () => {
    const queue = new FakeQueue();
    testScheduler.run(({ cold }) => {
      cold('-a|', { a: acks.batch('a', 'x') }).pipe(deadLetter(queue, options()), scripted(() => failedAt(1, [0]))).subscribe();
    });
    await settle();
    expect(queue.entries.map((entry) => entry.attempts)).toEqual([1]);
  });

  it('resolves upstream only once the store write is durable', async () => {
    const queue = new FakeQueue('controlled');
    testScheduler.run(({ cold }) => {
      cold('-a|', { a: acks.batch('a', 'x') }).pipe(deadLetter(queue, options()), scripted(() => new Error('boom'))).subscribe();
    });
    await settle();
    expect(queue.messages).toEqual(['x']);
    expect(acks.state('a')).toBe('pending');
    queue.pending[0].resolve();
    await settle();
    expect(acks.state('a')).toBe('resolved');
  });

  it('completes only once every upstream ack is settled, so a draining pipeline waits for the queue writes', async () => {
    const queue = new FakeQueue('controlled');
    const held: Batch[] = [];
    let completed = false;
    testScheduler.run(({ cold }) => {
      const source = cold('-a|', { a: acks.batch('a', 'x') });
      source.pipe(deadLetter(queue, options()), scripted(() => 'hold', held)).subscribe({ complete: () => (completed = true) });
    });
    expect(completed).toBe(false);
    held[0].ack.reject(new Error('boom'));
    await settle();
    expect(completed).toBe(false);
    queue.pending[0].resolve();
    await settle();
    expect(acks.state('a')).toBe('resolved');
    expect(completed).toBe(true);
  });

  it('writes the whole batch for a rejection that is not a BatchDeliveryError', async () => {
    const queue = new FakeQueue();
    testScheduler.run(({ cold }) => {
      cold('-a|', { a: acks.batch('a', 'x', 'y') }).pipe(deadLetter(queue, options()), scripted(() => new Error('socket closed'))).subscribe();
    });
    await settle();
    expect(queue.entries.map((entry) => [entry.event.message, entry.error, entry.attempts])).toEqual([
      ['x', 'socket closed', 1],
      ['y', 'socket closed', 1],
    ]);
    expect(acks.state('a')).toBe('resolved');
  });

  it('writes the whole batch when the BatchDeliveryError names a batch of another size (re-batched downstream)', async () => {
    const queue = new FakeQueue();
    testScheduler.run(({ cold }) => {
      cold('-a|', { a: acks.batch('a', 'x', 'y') }).pipe(deadLetter(queue, options()), scripted(() => failedAt(7, [1], 3))).subscribe();
    });
    await settle();
    expect(queue.entries.map((entry) => [entry.event.message, entry.error, entry.attempts])).toEqual([
      ['x', permanent.message, 3],
      ['y', permanent.message, 3],
    ]);
  });

  it('writes the whole batch in whole_batch mode even when the indices could be its own', async () => {
    const queue = new FakeQueue();
    testScheduler.run(({ cold }) => {
      cold('-a|', { a: acks.batch('a', 'x', 'y') }).pipe(deadLetter(queue, options({ failures: 'whole_batch' })), scripted(() => failedAt(2, [1]))).subscribe();
    });
    await settle();
    expect(queue.messages).toEqual(['x', 'y']);
  });

  it('ignores out-of-range and repeated indices, and writes the whole batch when none is usable', async () => {
    const queue = new FakeQueue();
    testScheduler.run(({ cold }) => {
      const values = { a: acks.batch('a', 'x', 'y'), b: acks.batch('b', 'p', 'q') };
      const verdicts: Record<string, Error> = { x: failedAt(2, [1, 1, 9]), p: failedAt(2, [-1, 5]) };
      cold('-a-b|', values).pipe(deadLetter(queue, options()), scripted((batch) => verdicts[String(batch.events[0].message)])).subscribe();
    });
    await settle();
    expect(queue.messages).toEqual(['y', 'p', 'q']);
    expect(acks.states('a', 'b')).toEqual({ a: 'resolved', b: 'resolved' });
  });

  it('rejects upstream with the write error when the store write fails', async () => {
    const diskFull = new Error('ENOSPC: no space left on device');
    const told: Error[] = [];
    testScheduler.run(({ cold }) => {
      const source = cold('-a|', { a: acks.batch('a', 'x') });
      source.pipe(deadLetter(new FakeQueue(diskFull), options({ onWriteError: (error) => told.push(error) })), scripted(() => new Error('boom'))).subscribe();
    });
    await settle();
    expect(acks.state('a')).toBe('rejected');
    expect(acks.reason('a')).toBe(diskFull);
    expect(told).toEqual([diskFull]);
  });

  it('handles many batches independently and tells onDeadLettered how many events each write held', async () => {
    const queue = new FakeQueue();
    const counted: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: acks.batch('a', '1'), b: acks.batch('b', '2', '3'), c: acks.batch('c', '4') };
      const source = cold('  -a-b-c-|', values);
      const expected = '     -x-y-z--';
      const verdict = (batch: Batch): Verdict => (messagesOf(batch) === '2,3' ? failedAt(2, [0, 1]) : 'deliver');
      const output = source.pipe(deadLetter(queue, options({ onDeadLettered: (n) => counted.push(n) })), scripted(verdict), map(messagesOf));
      expectObservable(output).toBe(expected, { x: '1', y: '2,3', z: '4' });
    });
    await settle();
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'resolved', b: 'resolved', c: 'resolved' });
    expect(queue.messages).toEqual(['2', '3']);
    expect(counted).toEqual([2]);
  });

  it('forwards a source error and still dead-letters batches settled after it', async () => {
    const queue = new FakeQueue();
    const held: Batch[] = [];
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-#', { a: acks.batch('a', 'x') }, failure);
      const expected = '     -x-#';
      expectObservable(source.pipe(deadLetter(queue, options()), scripted(() => 'hold', held), map(messagesOf))).toBe(expected, { x: 'x' }, failure);
    });
    held[0].ack.reject(new Error('late failure'));
    await settle();
    expect(queue.messages).toEqual(['x']);
    expect(acks.state('a')).toBe('resolved');
  });

  it('tears down its source when unsubscribed early and rejects the upstream acks still outstanding, once', async () => {
    const queue = new FakeQueue();
    const held: Batch[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-b-c-|', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y'), c: acks.batch('c', 'z') });
      const subs = '         ^---!';
      const unsub = '        ----!';
      const expected = '     -x-y';
      const verdict = (batch: Batch): Verdict => (messagesOf(batch) === 'x' ? 'deliver' : 'hold');
      expectObservable(source.pipe(deadLetter(queue, options()), scripted(verdict, held), map(messagesOf)), unsub).toBe(expected, { x: 'x', y: 'y' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'resolved', b: 'rejected', c: 'pending' });
    expect(acks.reason('b')).toBeInstanceOf(DeadLetterAbandonedError);
    held[0].ack.reject(new Error('torn down downstream'));
    await settle();
    expect(acks.count('b')).toBe(1);
    expect(queue.entries).toEqual([]);
  });

  it('errors the output when a hook throws, after settling the ack', async () => {
    const hookFailure = new Error('metrics broke');
    let error: unknown;
    testScheduler.run(({ cold }) => {
      const source = cold('-a', { a: acks.batch('a', 'x') });
      const stage = deadLetter(new FakeQueue(), options({ onDeadLettered: () => { throw hookFailure; } }));
      source.pipe(stage, scripted(() => new Error('boom'))).subscribe({ error: (thrown: unknown) => (error = thrown) });
    });
    await settle();
    expect(acks.state('a')).toBe('resolved');
    expect(error).toBe(hookFailure);
  });
});
