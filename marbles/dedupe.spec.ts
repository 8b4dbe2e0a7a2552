import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { dedupe } from '../operators/transform/dedupe';
import { createBatch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder, messagesOf } from '../test/helpers/batches';
import { itFollowsTheTransformChecklist } from '../test/unit/transforms/operator-checklist';

describe('dedupe', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  itFollowsTheTransformChecklist((scheduler) => dedupe({ fields: ['message'], scheduler }));

  it('drops repeats within a single batch and counts them', () => {
    const discarded: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', 'x', 'y', 'x', 'x') });
      expectObservable(source.pipe(dedupe({ fields: ['message'], scheduler: testScheduler }, { onDiscard: (count) => discarded.push(count) }), map(messagesOf))).toBe('-x-|', { x: 'x,y' });
    });
    expect(discarded).toEqual([2]);
  });

  it('forgets a key ttl after it was last seen, in virtual time, each repeat refreshing it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // ttl 5: b (t=3) repeats a (t=1); c (t=7) is 4 after b's sighting, still a repeat; d (t=13) is 6 after c.
      const source = cold('  -a-b---c-----d-|', { a: acks.batch('a', 'x'), b: acks.batch('b', 'x'), c: acks.batch('c', 'x', 'y'), d: acks.batch('d', 'x') });
      expectObservable(source.pipe(dedupe({ fields: ['message'], ttlMs: 5, scheduler: testScheduler }), map(messagesOf))).toBe('-a-----c-----d-|', { a: 'x', c: 'y', d: 'x' });
    });
    expect(acks.states('a', 'b', 'c', 'd')).toEqual({ a: 'pending', b: 'resolved', c: 'pending', d: 'pending' });
  });

  it('forgets the least recently seen key beyond max_entries', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: acks.batch('a', 'x', 'y', 'x', 'z'), b: acks.batch('b', 'x', 'y') });
      // After a: x was refreshed by its repeat, so y, the least recent, was forgotten when z arrived; b's x is still a repeat.
      expectObservable(source.pipe(dedupe({ fields: ['message'], maxEntries: 2, scheduler: testScheduler }), map(messagesOf))).toBe('-a-b-|', { a: 'x,y,z', b: 'y' });
    });
  });

  it('keys on several fields together and always keeps events holding none of them', () => {
    const events: LogEvent[] = [{ message: 'm', host: 'h1' }, { message: 'm', host: 'h2' }, { message: 'm', host: 'h1' }, { other: 1 }, { other: 1 }];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch(events) });
      expectObservable(source.pipe(dedupe({ fields: ['message', 'host'], scheduler: testScheduler }), map((batch) => batch.events))).toBe('-x-|', { x: [events[0], events[1], events[3], events[4]] });
    });
  });

  it('keeps an event whose fields cannot be read and tells hooks.onError (fail open)', () => {
    const errors: unknown[] = [];
    const hostile: LogEvent = {};
    Object.defineProperty(hostile, 'message', { enumerable: true, get: () => { throw new Error('getter exploded'); } });
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([{ message: 'x' }, hostile, { message: 'x' }], undefined, 10) });
      expectObservable(source.pipe(dedupe({ fields: ['message'], scheduler: testScheduler }, { onError: (error) => errors.push(error) }), map((batch) => batch.events.length))).toBe('-x-|', { x: 2 });
    });
    expect(errors).toEqual([new Error('getter exploded')]);
  });
});
