import { catchError, EMPTY, map, take, tap, type Observable, type OperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { batch, BatchAbandonedError } from '../operators/batch';
import { fanOut } from '../operators/fan-out';
import type { Batch } from '../src/core/batch';
import { AckRecorder, messagesOf } from '../test/helpers/batches';

/** A branch that delivers every batch at once and emits `name:messages`. */
const delivering =
  (name: string): OperatorFunction<Batch, string> =>
  (source: Observable<Batch>) =>
    source.pipe(
      tap((input) => input.ack.resolve()),
      map((input) => `${name}:${messagesOf(input)}`),
    );

/** A branch that keeps every batch it receives in `held` without settling it. */
const holding =
  (name: string, held: Batch[]): OperatorFunction<Batch, string> =>
  (source: Observable<Batch>) =>
    source.pipe(
      tap((input) => held.push(input)),
      map((input) => `${name}:${messagesOf(input)}`),
    );

describe('fanOut', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  it('completes once every branch completes when the source is empty', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Batch>('|');
      const subs = '               (^!)';
      const expected = '           |';
      expectObservable(source.pipe(fanOut([delivering('1'), delivering('2')]))).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('emits nothing and stays subscribed when the source never emits', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Batch>('-');
      const subs = '               ^';
      const expected = '           -';
      expectObservable(source.pipe(fanOut([delivering('1'), delivering('2')]))).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('sends a single batch to every branch and merges what they emit', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a---|', { a: acks.batch('a', 'x') });
      const expected = '     -(pq)|';
      expectObservable(source.pipe(fanOut([delivering('1'), delivering('2')]))).toBe(expected, { p: '1:x', q: '2:x' });
    });
    expect(acks.state('a')).toBe('resolved');
    expect(acks.count('a')).toBe(1);
  });

  it('sends many batches to every branch in order', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a---b---c---|', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y'), c: acks.batch('c', 'z') });
      const expected = '     -(pq)(rs)(tu)|';
      const values = { p: '1:x', q: '2:x', r: '1:y', s: '2:y', t: '1:z', u: '2:z' };
      expectObservable(source.pipe(fanOut([delivering('1'), delivering('2')]))).toBe(expected, values);
    });
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'resolved', b: 'resolved', c: 'resolved' });
  });

  it('acks the source only after every branch settles its share', () => {
    const first: Batch[] = [];
    const second: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      // The source stays open: a branch that completes must have settled what it holds.
      const source = cold('  -a----', { a: acks.batch('a', 'x') });
      const expected = '     -(pq)-';
      expectObservable(source.pipe(fanOut([holding('1', first), holding('2', second)]))).toBe(expected, { p: '1:x', q: '2:x' });
    });
    first[0].ack.resolve();
    expect(acks.state('a')).toBe('pending');
    second[0].ack.resolve();
    expect(acks.state('a')).toBe('resolved');
    expect(acks.count('a')).toBe(1);
  });

  it('rejects the source ack when one branch rejects its share, once the other settles', () => {
    const first: Batch[] = [];
    const second: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      // The source stays open: a branch that completes must have settled what it holds.
      const source = cold('  -a----', { a: acks.batch('a', 'x') });
      const expected = '     -(pq)-';
      expectObservable(source.pipe(fanOut([holding('1', first), holding('2', second)]))).toBe(expected, { p: '1:x', q: '2:x' });
    });
    const failure = new Error('branch 2 could not deliver');
    second[0].ack.reject(failure);
    expect(acks.state('a')).toBe('pending');
    first[0].ack.resolve();
    expect(acks.state('a')).toBe('rejected');
    expect(acks.cause('a')).toBe(failure);
  });

  it('marks the batches it hands to several branches as shared, with the same events and one ack share each', () => {
    const first: Batch[] = [];
    const second: Batch[] = [];
    const input = acks.batch('a', 'x');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a----', { a: input });
      const expected = '     -(pq)-';
      expectObservable(source.pipe(fanOut([holding('1', first), holding('2', second)]))).toBe(expected, { p: '1:x', q: '2:x' });
    });
    expect(first[0].shared).toBe(true);
    expect(second[0].shared).toBe(true);
    expect(first[0].events).toBe(input.events);
    expect(first[0].ack).not.toBe(second[0].ack);
    expect(input.shared).toBeUndefined();
    first[0].ack.resolve();
    expect(input.ack.settled).toBe(false);
    second[0].ack.resolve();
    expect(input.ack.result).toEqual({ ok: true });
  });

  it('hands a single branch its batches unshared, with one ack share that settles the source ack', () => {
    const only: Batch[] = [];
    const input = acks.batch('a', 'x');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a--', { a: input });
      const expected = '     -p--';
      expectObservable(source.pipe(fanOut([holding('1', only)]))).toBe(expected, { p: '1:x' });
    });
    expect(only[0].events).toBe(input.events);
    expect(only[0].shared).toBe(false);
    expect(input.ack.pending).toBe(1);
    only[0].ack.resolve();
    expect(acks.state('a')).toBe('resolved');
  });

  // Regression: a branch whose output completed while it still held a share left the source
  // ack pending forever.
  it('rejects a share the branch still held when its output completed', () => {
    const only: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', 'x') });
      expectObservable(source.pipe(fanOut([holding('1', only)]))).toBe('-p-|', { p: '1:x' });
    });
    expect(acks.state('a')).toBe('rejected');
    expect(acks.count('a')).toBe(1);
  });

  it('keeps the other branch running when one fails, rejects later shares of the failed branch, and errors after the other completes', () => {
    const failure = new Error('branch 2 failed');
    const failing: OperatorFunction<Batch, string> = (source) =>
      source.pipe(
        map((input) => {
          if (messagesOf(input) === 'y') {
            input.ack.reject(failure);
            throw failure;
          }
          input.ack.resolve();
          return `2:${messagesOf(input)}`;
        }),
      );
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a---b--c--|', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y'), c: acks.batch('c', 'z') });
      const subs = '         ^----------!';
      const expected = '     -(pq)r--s--#';
      expectObservable(source.pipe(fanOut([delivering('1'), failing]))).toBe(expected, { p: '1:x', q: '2:x', r: '1:y', s: '1:z' }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'resolved', b: 'rejected', c: 'rejected' });
    expect(acks.reason('c')).toBe(failure);
    expect(acks.count('c')).toBe(1);
  });

  it('errors with the source error once every branch has received it', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a---#', { a: acks.batch('a', 'x') }, failure);
      const subs = '         ^----!';
      const expected = '     -(pq)#';
      expectObservable(source.pipe(fanOut([delivering('1'), delivering('2')]))).toBe(expected, { p: '1:x', q: '2:x' }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('tears down its source and every branch when unsubscribed early, so branches reject what they held', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b-----', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y') });
      const unsub = '        ^-----!';
      const subs = '         ^-----!';
      const expected = '     -------';
      const branch = batch({ maxEvents: 10, maxWaitMs: 20, scheduler: testScheduler });
      expectObservable(source.pipe(fanOut([branch, branch]), map(messagesOf)), unsub).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
    expect(acks.cause('a')).toBeInstanceOf(BatchAbandonedError);
    expect(acks.count('a')).toBe(1);
  });

  // Regression: a branch that completed before its source (take, first) was still fed through
  // its Subject with nobody listening, so its share of every later batch was never settled.
  it('rejects the shares of a branch that completed before its source instead of leaking them', () => {
    const firstOnly: OperatorFunction<Batch, string> = (source) => source.pipe(take(1), delivering('2'));
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a---b-|', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y') });
      const expected = '     -(pq)r-|';
      expectObservable(source.pipe(fanOut([delivering('1'), firstOnly]))).toBe(expected, { p: '1:x', q: '2:x', r: '1:y' });
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'resolved', b: 'rejected' });
    expect(acks.pending()).toEqual([]);
  });

  // Regression: a branch whose stage threw on a batch (the error caught further down, as the
  // graph does) leaked its share of that batch and of every batch after it.
  it('rejects the shares a branch held when its error was caught downstream', () => {
    const failure = new Error('bug in stage');
    const broken: OperatorFunction<Batch, string> = (source) =>
      source.pipe(
        map(() => {
          throw failure;
        }),
        catchError(() => EMPTY),
      );
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  (ab|)', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y') });
      expectObservable(source.pipe(fanOut([delivering('1'), broken]))).toBe('(pq|)', { p: '1:x', q: '1:y' });
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
    expect(acks.pending()).toEqual([]);
  });

  it('refuses to fan out to no branch', () => {
    expect(() => fanOut([])).toThrow(RangeError);
  });
});
