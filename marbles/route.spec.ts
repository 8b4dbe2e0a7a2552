import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { compileRoutes, route, type Route } from '../operators/route/route';
import type { OutputBatch } from '../operators/route/outputs';
import { createBatch, type Batch } from '../src/core/batch';
import { BatchDeliveryError } from '../src/core/errors';
import type { LogEvent } from '../src/core/event';
import { AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const byLevel = compileRoutes({ errors: { field: 'level', equals: 'error' }, loud: { field: 'level', in: ['error', 'warn'] } });
/** `errors:e1,e2` — the output and the messages of one routed batch. */
const show = ({ output, batch }: OutputBatch): string => `${output}:${batch.events.map((event) => event.message).join(',')}`;

describe('route', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  /** A batch of events `{ message, level }` from `message:level` pairs. */
  const batch = (label: string, ...pairs: string[]): Batch =>
    createBatch(
      pairs.map((pair) => {
        const [message, level] = pair.split(':');
        return { message, level };
      }),
      acks.ack(label),
    );

  itHandlesEmptyAndNever(() => route(byLevel));

  it('sends a batch whose events all match one route through whole, under the same ack', () => {
    const input = batch('a', 'e1:error', 'e2:error');
    const seen: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: input });
      const expected = '     -x-|';
      expectObservable(source.pipe(route(byLevel), map((out) => (seen.push(out.batch), show(out))))).toBe(expected, { x: 'errors:e1,e2' });
    });
    expect(seen[0]).toBe(input);
  });

  it('splits one batch into one batch per output in route order, with _unmatched last, each under a pick of the ack', () => {
    const pieces: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a------|', { a: batch('a', 'i1:info', 'e1:error', 'w1:warn', 'i2:info') });
      const expected = '     -(xyz)--|';
      expectObservable(source.pipe(route(byLevel), map((out) => (pieces.push(out.batch), show(out))))).toBe(expected, { x: 'errors:e1', y: 'loud:w1', z: '_unmatched:i1,i2' });
    });
    expect(acks.state('a')).toBe('pending');
    pieces[0].ack.resolve();
    pieces[1].ack.reject(new BatchDeliveryError([{ index: 0, error: new Error('sink refused'), retryable: false }], 1));
    pieces[2].ack.resolve();
    // The failure names the warn event by its place in the original batch.
    expect(acks.failedIndices('a')).toEqual([2]);
  });

  it('sends an event to every route it matches with match all, marking those batches shared', () => {
    const pieces: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a------b-|', { a: batch('a', 'e1:error', 'i1:info'), b: batch('b', 'w1:warn') });
      const expected = '     -(xyz)--w-|';
      const values = { x: 'errors:e1', y: 'loud:e1', z: '_unmatched:i1', w: 'loud:w1' };
      expectObservable(source.pipe(route(byLevel, { match: 'all' }), map((out) => (pieces.push(out.batch), show(out))))).toBe(expected, values);
    });
    // Every piece of a batch with a multi-matched event is shared; a batch passed whole is not.
    expect(pieces.map((piece) => piece.shared)).toEqual([true, true, true, undefined]);
    expect(pieces[0].events[0]).toBe(pieces[1].events[0]);
  });

  it('forwards a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-#', { a: batch('a', 'e1:error') }, failure);
      expectObservable(source.pipe(route(byLevel), map(show))).toBe('-x-#', { x: 'errors:e1' }, failure);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('tears down its source when unsubscribed early', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b--', { a: batch('a', 'e1:error'), b: batch('b', 'w1:warn') });
      const unsub = '        ^--!';
      expectObservable(source.pipe(route(byLevel), map(show)), unsub).toBe('-x--', { x: 'errors:e1' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(acks.pending()).toEqual(['a', 'b']);
  });

  it('treats a condition that throws as no match and tells hooks.onError, so the event still leaves by _unmatched', () => {
    const errors: unknown[] = [];
    const hostile: LogEvent = { message: 'h' };
    Object.defineProperty(hostile, 'level', { enumerable: true, get: () => { throw new Error('getter exploded'); } });
    const throwing: Route[] = [{ output: 'errors', matches: (event) => event.level === 'error' }];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a----|', { a: createBatch([hostile, { message: 'e', level: 'error' }], acks.ack('a'), 10) });
      const expected = '     -(xy)-|';
      expectObservable(source.pipe(route(throwing, { hooks: { onError: (error) => errors.push(error) } }), map(show))).toBe(expected, { x: 'errors:e', y: '_unmatched:h' });
    });
    expect(errors).toEqual([new Error('getter exploded')]);
  });

  it('refuses an output named _unmatched or named twice', () => {
    expect(() => route([{ output: '_unmatched', matches: () => true }])).toThrow(RangeError);
  });
});
