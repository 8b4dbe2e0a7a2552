import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { renameFields } from '../operators/transform/rename';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { itFollowsTheTransformChecklist } from '../test/unit/transforms/operator-checklist';

const eventsOf = (batch: Batch): LogEvent[] => batch.events;

describe('renameFields', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => (testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected))));

  itFollowsTheTransformChecklist(() => renameFields({ msg: 'message' }), { msg: 'm' });

  it('moves top-level and nested fields in a single batch, skipping absent ones', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([{ msg: 'x', req: { ip: '10.0.0.1', id: 7 } }, { other: 1 }]) });
      const expected = '     -x-|';
      expectObservable(source.pipe(renameFields({ msg: 'message', 'req.ip': 'client.ip' }), map(eventsOf))).toBe(expected, {
        x: [{ msg: undefined, message: 'x', req: { ip: undefined, id: 7 }, client: { ip: '10.0.0.1' } }, { other: 1 }],
      });
    });
  });

  it('renames across many batches, and with overwrite false leaves an occupied target alone', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: createBatch([{ msg: 'x', message: 'kept' }]), b: createBatch([{ msg: 'y' }]) });
      const expected = '     -x-y-|';
      expectObservable(source.pipe(renameFields({ msg: 'message' }, { overwrite: false }), map(eventsOf))).toBe(expected, {
        x: [{ msg: 'x', message: 'kept' }],
        y: [{ msg: undefined, message: 'y' }],
      });
    });
  });

  it('never changes the events or nested objects of a shared batch (copy-on-write after a fan-out)', () => {
    const req = { ip: '10.0.0.1' };
    const original: LogEvent = { msg: 'x', req };
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: { ...createBatch([original]), shared: true } });
      expectObservable(source.pipe(renameFields({ msg: 'message', 'req.ip': 'ip' }), map((batch) => JSON.stringify(batch.events)))).toBe('-x-|', { x: '[{"req":{},"message":"x","ip":"10.0.0.1"}]' });
    });
    expect(original).toEqual({ msg: 'x', req: { ip: '10.0.0.1' } });
    expect(req).toEqual({ ip: '10.0.0.1' });
  });

  it('keeps an event it cannot write (frozen) unchanged and tells hooks.onError', () => {
    const errors: unknown[] = [];
    const frozen = Object.freeze({ msg: 'frozen' });
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([frozen, { msg: 'ok' }]) });
      expectObservable(source.pipe(renameFields({ msg: 'message' }, {}, { onError: (error) => errors.push(error) }), map(eventsOf))).toBe('-x-|', {
        x: [{ msg: 'frozen' }, { msg: undefined, message: 'ok' }],
      });
    });
    expect(errors).toHaveLength(1);
  });
});
