import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { convertFields } from '../operators/transform/convert';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { itFollowsTheTransformChecklist } from '../test/unit/transforms/operator-checklist';

const eventsOf = (batch: Batch): LogEvent[] => batch.events;

describe('convertFields', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => (testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected))));

  itFollowsTheTransformChecklist(() => convertFields({ status: 'int' }), { status: '200' });

  it('converts each type in a single batch', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([{ status: '200', took: '1.5', ok: 'yes', at: 1_700_000_000, code: 404, http: { bytes: '12' } }]) });
      const fields = { status: 'int', took: 'float', ok: 'bool', at: 'timestamp', code: 'string', 'http.bytes': 'int' } as const;
      expectObservable(source.pipe(convertFields(fields), map(eventsOf))).toBe('-x-|', {
        x: [{ status: 200, took: 1.5, ok: true, at: '2023-11-14T22:13:20.000Z', code: '404', http: { bytes: 12 } }],
      });
    });
  });

  it('keeps a value that does not convert, tags the event and counts it, across many batches', () => {
    const failures: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: createBatch([{ status: 'abc', ok: 'maybe' }]), b: createBatch([{ status: '7' }]) });
      expectObservable(source.pipe(convertFields({ status: 'int', ok: 'bool' }, {}, { onConvertError: (count) => failures.push(count) }), map(eventsOf))).toBe('-x-y-|', {
        x: [{ status: 'abc', ok: 'maybe', tags: ['convert_error'] }],
        y: [{ status: 7 }],
      });
    });
    expect(failures).toEqual([2]);
  });

  it('never changes the events of a shared batch', () => {
    const original: LogEvent = { status: '200' };
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: { ...createBatch([original]), shared: true } });
      expectObservable(source.pipe(convertFields({ status: 'int' }), map(eventsOf))).toBe('-x-|', { x: [{ status: 200 }] });
    });
    expect(original).toEqual({ status: '200' });
  });

  it('keeps an event it cannot write (frozen) unchanged and tells hooks.onError', () => {
    const errors: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([Object.freeze({ status: '1' }), { status: '2' }]) });
      expectObservable(source.pipe(convertFields({ status: 'int' }, {}, { onError: (error) => errors.push(error) }), map(eventsOf))).toBe('-x-|', { x: [{ status: '1' }, { status: 2 }] });
    });
    expect(errors).toHaveLength(1);
  });
});
