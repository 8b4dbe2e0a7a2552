import { catchError, concatMap, EMPTY, map, merge, tap, timer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { tee } from '../operators/tee';
import type { Batch } from '../src/core/batch';
import { AckRecorder, messagesOf } from '../test/helpers/batches';

/** A reader that settles each batch after `delay` frames (resolving, or rejecting `fails`). */
function settling(scheduler: TestScheduler, name: string, delay: number, fails: readonly string[] = []) {
  return (source: Observable<Batch>): Observable<string> =>
    source.pipe(
      tap((input) => {
        scheduler.schedule(() => {
          if (fails.includes(messagesOf(input))) input.ack.reject(new Error(`${name} failed ${messagesOf(input)}`));
          else input.ack.resolve();
        }, delay);
      }),
      map((input) => `${name}:${messagesOf(input)}`),
    );
}

describe('tee', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  it('gives a single reader its own ack share and unshared batches', () => {
    const seen: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const [only] = tee(cold('  a-', { a: acks.batch('a', 'x') }), 1);
      expectObservable(only.pipe(tap((input) => seen.push(input)), map(messagesOf))).toBe('x-', { x: 'x' });
    });
    expect(seen[0].shared).toBe(false);
    seen[0].ack.resolve();
    expect(acks.state('a')).toBe('resolved');
  });

  it('rejects what an abandoned reader holds and its share of later batches', () => {
    const held: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const [first, second] = tee(cold('  a-b-', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y') }), 2);
      expectObservable(settling(testScheduler, '1', 0)(first)).toBe('p-q-', { p: '1:x', q: '1:y' });
      expectObservable(second.pipe(tap((input) => {
        held.push(input);
        second.abandon(new Error('path failed'));
      }), map(messagesOf))).toBe('x---', { x: 'x' });
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
    expect(acks.reason('a')?.message).toBe('path failed');
    expect(acks.count('a')).toBe(1);
  });

  it('completes every reader when the source is empty', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Batch>('|');
      const [a, b] = tee(source, 2);
      expectObservable(merge(a, b)).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('stays subscribed and silent when the source never emits', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const [a, b] = tee(cold<Batch>('-'), 2);
      expectObservable(merge(a, b)).toBe('-');
    });
  });

  it('subscribes upstream once, when the last reader subscribes, so no reader misses a batch', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  a---b---|', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y') });
      const [first, second] = tee(source, 2);
      expectObservable(merge(settling(testScheduler, '1', 1)(first), settling(testScheduler, '2', 1)(second))).toBe('(pq)(rs)|', {
        p: '1:x', q: '2:x', r: '1:y', s: '2:y',
      });
      expectSubscriptions(source.subscriptions).toBe('^-------!');
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'resolved', b: 'resolved' });
    expect(acks.count('a')).toBe(1);
  });

  it('in sequential mode hands a batch to the next reader only once the previous one settled it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  a----|', { a: acks.batch('a', 'x') });
      const [first, second] = tee(source, 2, { mode: 'sequential' });
      expectObservable(merge(settling(testScheduler, '1', 3)(first), settling(testScheduler, '2', 1)(second))).toBe('p--q-|', { p: '1:x', q: '2:x' });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('in sequential mode completes a later reader only after the batches still owed to it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  a|', { a: acks.batch('a', 'x') });
      const [first, second] = tee(source, 2, { mode: 'sequential' });
      // The first reader settles 3 frames later and completes only then (as deliver does).
      const slowFirst = first.pipe(
        concatMap((input) =>
          timer(3).pipe(
            tap(() => input.ack.resolve()),
            map(() => `1:${messagesOf(input)}`),
          ),
        ),
      );
      expectObservable(settling(testScheduler, '2', 0)(second)).toBe('---(q|)', { q: '2:x' });
      expectObservable(slowFirst).toBe('---(p|)', { p: '1:x' });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('with failure stop skips later readers of a batch an earlier one failed, rejecting their shares', () => {
    const seen: string[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  a-b-|', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y') });
      const [first, second] = tee(source, 2, { mode: 'sequential', failure: 'stop' });
      const later = settling(testScheduler, '2', 0)(second).pipe(tap((value) => seen.push(value)));
      expectObservable(merge(settling(testScheduler, '1', 1, ['x'])(first), later)).toBe('p-rs|', { p: '1:x', r: '1:y', s: '2:y' });
    });
    expect(seen).toEqual(['2:y']);
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'resolved' });
    expect(acks.reason('a')?.message).toBe('1 failed x');
  });

  it('with failure continue still hands a failed batch to the later readers', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  a--|', { a: acks.batch('a', 'x') });
      const [first, second] = tee(source, 2, { mode: 'sequential', failure: 'continue' });
      expectObservable(merge(settling(testScheduler, '1', 1, ['x'])(first), settling(testScheduler, '2', 0)(second))).toBe('pq-|', { p: '1:x', q: '2:x' });
    });
    expect(acks.state('a')).toBe('rejected');
    expect(acks.count('a')).toBe(1);
  });

  it('refuses failure stop without sequential mode', () => {
    expect(() => tee(testScheduler.createColdObservable<Batch>('-'), 2, { failure: 'stop' })).toThrow(RangeError);
  });

  it('forwards a source error to every reader', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const [a, b] = tee(cold<Batch>('-#', undefined, failure), 2);
      expectObservable(a).toBe('-#', undefined, failure);
      expectObservable(b).toBe('-#', undefined, failure);
    });
  });

  it('rejects the shares of a reader unsubscribed early, and its share of later batches', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('   -a--b--|', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y') });
      const [first, second] = tee(source, 2);
      expectObservable(settling(testScheduler, '1', 0)(first)).toBe('-p--q--|', { p: '1:x', q: '1:y' });
      // The second reader holds a without settling it, then leaves before b.
      expectObservable(second.pipe(map(messagesOf)), '^--!').toBe('-x-', { x: 'x' });
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
    expect(acks.count('b')).toBe(1);
  });

  it('rejects what a reader held when its own stage threw and the error was caught downstream', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  (ab|)', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y') });
      const [first, second] = tee(source, 2);
      const broken = second.pipe(
        map(() => {
          throw new Error('bug');
        }),
        catchError(() => EMPTY),
      );
      expectObservable(merge(settling(testScheduler, '1', 0)(first), broken)).toBe('(pq|)', { p: '1:x', q: '1:y' });
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
    expect(acks.pending()).toEqual([]);
  });
});
