import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { throttle } from '../operators/transform/throttle';
import { createBatch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder, messagesOf } from '../test/helpers/batches';
import { itFollowsTheTransformChecklist } from '../test/unit/transforms/operator-checklist';

const keyed = (...pairs: string[]): LogEvent[] => pairs.map((pair) => ({ service: pair[0], message: pair }));

describe('throttle', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  itFollowsTheTransformChecklist((scheduler) => throttle({ threshold: 1, windowMs: 10, scheduler }));

  it('lets threshold events of a single batch through and counts the excess', () => {
    const discarded: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', '1', '2', '3', '4') });
      expectObservable(source.pipe(throttle({ threshold: 2, windowMs: 10, scheduler: testScheduler }, { onDiscard: (count) => discarded.push(count) }), map(messagesOf))).toBe('-x-|', { x: '1,2' });
    });
    expect(discarded).toEqual([2]);
  });

  it('counts per window in virtual time: the excess of one window is dropped, the next window starts afresh', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // Windows of 5 frames: [0,5) holds a and b, [5,10) holds c, [10,15) holds d.
      const source = cold('  -a--b-c----d-|', { a: acks.batch('a', '1', '2'), b: acks.batch('b', '3'), c: acks.batch('c', '4', '5', '6'), d: acks.batch('d', '7') });
      expectObservable(source.pipe(throttle({ threshold: 2, windowMs: 5, scheduler: testScheduler }), map(messagesOf))).toBe('-x----z----w-|', { x: '1,2', z: '4,5', w: '7' });
    });
    expect(acks.states('a', 'b', 'c', 'd')).toEqual({ a: 'pending', b: 'resolved', c: 'pending', d: 'pending' });
  });

  it('counts each key apart, bounded by max_keys, and never throttles excluded events', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([...keyed('a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'd1'), { service: 'a', level: 'error', message: 'a-err' }]) });
      const operator = throttle({ threshold: 1, windowMs: 10, keyField: 'service', maxKeys: 2, exclude: { field: 'level', equals: 'error' }, scheduler: testScheduler });
      // a and b get their own counts; c and d share the overflow count, so only c1 of them passes.
      expectObservable(source.pipe(operator, map(messagesOf))).toBe('-x-|', { x: 'a1,b1,c1,a-err' });
    });
  });

  it('keeps an event whose key cannot be read and tells hooks.onError (fail open)', () => {
    const errors: unknown[] = [];
    const hostile: LogEvent = { message: 'h' };
    Object.defineProperty(hostile, 'service', { enumerable: true, get: () => { throw new Error('getter exploded'); } });
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([...keyed('a1', 'a2'), hostile], undefined, 10) });
      const operator = throttle({ threshold: 1, windowMs: 10, keyField: 'service', scheduler: testScheduler }, { onError: (error) => errors.push(error) });
      expectObservable(source.pipe(operator, map(messagesOf))).toBe('-x-|', { x: 'a1,h' });
    });
    expect(errors).toEqual([new Error('getter exploded')]);
  });

  it('refuses a threshold below 1 and a window that is not positive', () => {
    expect(() => throttle({ threshold: 0, windowMs: 10 })).toThrow(/threshold/);
    expect(() => throttle({ threshold: 1, windowMs: 0 })).toThrow(/window/);
  });
});
