import { map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { BatchDeliveryError } from '../src/core/errors';
import { filterEvents } from '../operators/filter-events';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder, eventsOf, messagesOf } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const notDebug = (event: LogEvent): boolean => !String(event.message).startsWith('debug');

describe('filterEvents', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  itHandlesEmptyAndNever(() => filterEvents(notDebug));

  it('passes a single batch whose events all match through as the same batch', () => {
    const input = acks.batch('a', 'x', 'y');
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: input });
      const expected = '     -x-|';
      expectObservable(source.pipe(filterEvents(notDebug), tap((out) => outputs.push(out)), map(messagesOf))).toBe(expected, { x: 'x,y' });
    });
    expect(outputs[0]).toBe(input);
    expect(acks.state('a')).toBe('pending');
  });

  it('removes non-matching events from many batches, under a pick of each ack, counting the discarded', () => {
    const discarded: number[] = [];
    const input = createBatch(eventsOf('x', 'debug 1', 'y'), acks.ack('a'), 99);
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-c-|', { a: input, b: acks.batch('b', 'z'), c: acks.batch('c', 'debug 2', 'w') });
      const expected = '     -x-y-z-|';
      const result = source.pipe(
        filterEvents(notDebug, { onDiscard: (count) => discarded.push(count) }),
        tap((out) => outputs.push(out)),
        map(messagesOf),
      );
      expectObservable(result).toBe(expected, { x: 'x,y', y: 'z', z: 'w' });
    });
    expect(discarded).toEqual([1, 1]);
    expect(outputs[0].bytes).toBe(99);
    expect(acks.pending()).toEqual(['a', 'b', 'c']);
    // Failure identity: the survivor at 1 ('y') was event 2 of the input batch.
    outputs[0].ack.reject(new BatchDeliveryError([{ index: 1, error: new Error('refused'), retryable: false }], 2));
    expect(acks.failedIndices('a')).toEqual([2]);
  });

  it('acknowledges and swallows a batch whose events were all dropped', () => {
    const discarded: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-c-|', { a: acks.batch('a', 'x'), b: acks.batch('b', 'debug 1', 'debug 2'), c: acks.batch('c', 'y') });
      const expected = '     -x---z-|';
      const result = source.pipe(filterEvents(notDebug, { onDiscard: (count) => discarded.push(count) }), map(messagesOf));
      expectObservable(result).toBe(expected, { x: 'x', z: 'y' });
    });
    expect(discarded).toEqual([2]);
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'pending', b: 'resolved', c: 'pending' });
  });

  it('passes a batch that arrived with no events through unacknowledged', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -e-|', { e: acks.batch('e') });
      const expected = '     -x-|';
      expectObservable(source.pipe(filterEvents(() => false), map(messagesOf))).toBe(expected, { x: '' });
    });
    expect(acks.state('e')).toBe('pending');
  });

  it('keeps an event and tells hooks.onError when the predicate throws (fail open)', () => {
    const failure = new Error('predicate bug');
    const errors: Array<[unknown, LogEvent]> = [];
    const discarded: number[] = [];
    const input = acks.batch('a', 'debug 1', 'boom', 'x');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: input, b: acks.batch('b', 'boom') });
      const expected = '     -x-y-|';
      const predicate = (event: LogEvent): boolean => {
        if (event.message === 'boom') throw failure;
        return notDebug(event);
      };
      const hooks = { onError: (error: unknown, event: LogEvent) => errors.push([error, event]), onDiscard: (count: number) => discarded.push(count) };
      expectObservable(source.pipe(filterEvents(predicate, hooks), map(messagesOf))).toBe(expected, { x: 'boom,x', y: 'boom' });
    });
    expect(errors.map(([error]) => error)).toEqual([failure, failure]);
    expect(errors[0][1]).toBe(input.events[1]);
    expect(discarded).toEqual([1]);
    expect(acks.states('a', 'b')).toEqual({ a: 'pending', b: 'pending' });
  });

  it('forwards a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-#', { a: acks.batch('a', 'x') }, failure);
      const subs = '         ^--!';
      const expected = '     -x-#';
      expectObservable(source.pipe(filterEvents(notDebug), map(messagesOf))).toBe(expected, { x: 'x' }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('tears down its source when unsubscribed early, holding no ack of its own', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b--', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y') });
      const unsub = '        ^--!';
      const subs = '         ^--!';
      const expected = '     -x--';
      expectObservable(source.pipe(filterEvents(notDebug), map(messagesOf)), unsub).toBe(expected, { x: 'x' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    // 'a' went downstream (its holder settles it); 'b' was never received.
    expect(acks.pending()).toEqual(['a', 'b']);
  });
});
