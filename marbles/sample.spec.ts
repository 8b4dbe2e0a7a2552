import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { sample } from '../operators/transform/sample';
import { stableHash } from '../operators/transform/event-key';
import { createBatch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder, messagesOf } from '../test/helpers/batches';
import { itFollowsTheTransformChecklist } from '../test/unit/transforms/operator-checklist';

describe('sample', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  itFollowsTheTransformChecklist(() => sample({ rate: 3 }));

  it('keeps 1 event in N of a single batch, the first included, and counts the rest', () => {
    const discarded: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', '1', '2', '3', '4', '5') });
      expectObservable(source.pipe(sample({ rate: 2 }, { onDiscard: (count) => discarded.push(count) }), map(messagesOf))).toBe('-x-|', { x: '1,3,5' });
    });
    expect(discarded).toEqual([2]);
    expect(acks.state('a')).toBe('pending');
  });

  it('counts across many batches and acknowledges a batch sampled out whole', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-c-|', { a: acks.batch('a', '1'), b: acks.batch('b', '2', '3'), c: acks.batch('c', '4', '5', '6', '7') });
      expectObservable(source.pipe(sample({ rate: 3 }), map(messagesOf))).toBe('-x---z-|', { x: '1', z: '4,7' });
    });
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'pending', b: 'resolved', c: 'pending' });
  });

  it('keeps or drops all events of one key together, by a stable hash', () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    const kept = keys.filter((key) => stableHash(key) % 2 === 0);
    const events: LogEvent[] = [...keys, ...keys].map((trace) => ({ trace, message: trace }));
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch(events) });
      expectObservable(source.pipe(sample({ rate: 2, keyField: 'trace' }), map(messagesOf))).toBe('-x-|', { x: [...kept, ...kept].join(',') });
    });
  });

  it('applies rates by level, case-insensitively, and never samples out excluded events', () => {
    const events: LogEvent[] = ['debug', 'DEBUG', 'debug', 'info', 'info', 'error', 'error'].map((level, i) => ({ level, message: String(i) }));
    const spec = { rate: 2, rateByLevel: { debug: 3, error: 1 }, exclude: { field: 'message', equals: '4' } };
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch(events) });
      expectObservable(source.pipe(sample(spec), map(messagesOf))).toBe('-x-|', { x: '0,3,4,5,6' });
    });
  });

  it('keeps an event whose level cannot be read and tells hooks.onError (fail open)', () => {
    const errors: unknown[] = [];
    const hostile: LogEvent = { message: 'h' };
    Object.defineProperty(hostile, 'level', { enumerable: true, get: () => { throw new Error('getter exploded'); } });
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([{ message: 'a', level: 'debug' }, hostile, { message: 'b', level: 'debug' }], undefined, 10) });
      expectObservable(source.pipe(sample({ rate: 1, rateByLevel: { debug: 2 } }, { onError: (error) => errors.push(error) }), map(messagesOf))).toBe('-x-|', { x: 'a,h' });
    });
    expect(errors).toEqual([new Error('getter exploded')]);
  });
});

describe('sample options', () => {
  it('refuses a rate below 1', () => {
    expect(() => sample({ rate: 0 })).toThrow(/rate: expected an integer of at least 1/);
    expect(() => sample({ rate: 2, rateByLevel: { debug: 0.5 } })).toThrow(/rate_by_level\.debug/);
  });
});
