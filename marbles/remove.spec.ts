import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { removeFields } from '../operators/transform/remove';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { itFollowsTheTransformChecklist } from '../test/unit/transforms/operator-checklist';

const wire = (batch: Batch): string => JSON.stringify(batch.events);

describe('removeFields', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => (testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected))));

  itFollowsTheTransformChecklist(() => removeFields(['password']));

  it('removes top-level and nested fields of a single batch from the wire', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([{ message: 'x', password: 'p', k8s: { labels: { a: '1' }, pod: 'p1' } }]) });
      expectObservable(source.pipe(removeFields(['password', 'k8s.labels', 'absent.field']), map(wire))).toBe('-x-|', { x: '[{"message":"x","k8s":{"pod":"p1"}}]' });
    });
  });

  it('removes fields across many batches', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: createBatch([{ password: 'p' }]), b: createBatch([{ message: 'y', password: 'q' }]) });
      expectObservable(source.pipe(removeFields(['password']), map(wire))).toBe('-x-y-|', { x: '[{}]', y: '[{"message":"y"}]' });
    });
  });

  it('never changes the events or nested objects of a shared batch', () => {
    const labels = { a: '1' };
    const original: LogEvent = { password: 'p', k8s: { labels } };
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: { ...createBatch([original]), shared: true } });
      expectObservable(source.pipe(removeFields(['password', 'k8s.labels']), map(wire))).toBe('-x-|', { x: '[{"k8s":{}}]' });
    });
    expect(original).toEqual({ password: 'p', k8s: { labels: { a: '1' } } });
  });

  it('keeps an event it cannot write (frozen) unchanged and tells hooks.onError', () => {
    const errors: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([Object.freeze({ password: 'f' }), { password: 'ok' }]) });
      expectObservable(source.pipe(removeFields(['password'], { onError: (error) => errors.push(error) }), map(wire))).toBe('-x-|', { x: '[{"password":"f"},{}]' });
    });
    expect(errors).toHaveLength(1);
  });
});
