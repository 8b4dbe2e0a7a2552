import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { copyFields } from '../operators/transform/copy';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { itFollowsTheTransformChecklist } from '../test/unit/transforms/operator-checklist';

const eventsOf = (batch: Batch): LogEvent[] => batch.events;

describe('copyFields', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => (testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected))));

  itFollowsTheTransformChecklist(() => copyFields({ message: 'raw' }));

  it('copies top-level and nested values in a single batch, skipping absent ones', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([{ message: 'x', http: { status: 200 } }, {}]) });
      expectObservable(source.pipe(copyFields({ message: 'raw', 'http.status': 'status_code' }), map(eventsOf))).toBe('-x-|', {
        x: [{ message: 'x', http: { status: 200 }, raw: 'x', status_code: 200 }, {}],
      });
    });
  });

  it('copies across many batches, and with overwrite false leaves an occupied target alone', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: createBatch([{ message: 'x', raw: 'old' }]), b: createBatch([{ message: 'y' }]) });
      expectObservable(source.pipe(copyFields({ message: 'raw' }, { overwrite: false }), map(eventsOf))).toBe('-x-y-|', {
        x: [{ message: 'x', raw: 'old' }],
        y: [{ message: 'y', raw: 'y' }],
      });
    });
  });

  it('never changes the events of a shared batch (copy-on-write after a fan-out)', () => {
    const original: LogEvent = { message: 'x', origin: { zone: 'a' } };
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: { ...createBatch([original]), shared: true } });
      expectObservable(source.pipe(copyFields({ message: 'origin.message' }), map(eventsOf))).toBe('-x-|', { x: [{ message: 'x', origin: { zone: 'a', message: 'x' } }] });
    });
    expect(original).toEqual({ message: 'x', origin: { zone: 'a' } });
  });

  it('keeps an event it cannot write (frozen) unchanged and tells hooks.onError', () => {
    const errors: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([Object.freeze({ message: 'f' }), { message: 'ok' }]) });
      expectObservable(source.pipe(copyFields({ message: 'raw' }, {}, { onError: (error) => errors.push(error) }), map(eventsOf))).toBe('-x-|', {
        x: [{ message: 'f' }, { message: 'ok', raw: 'ok' }],
      });
    });
    expect(errors).toHaveLength(1);
  });
});
