import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { enrich } from '../operators/transform/enrich';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const fields = { env: 'prod', 'service.team': 'payments' };
const eventsOf = (batch: Batch): LogEvent[] => batch.events;

describe('enrich', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  const batch = (label: string, ...events: LogEvent[]): Batch => createBatch(events, acks.ack(label));

  itHandlesEmptyAndNever(() => enrich(fields));

  it('sets the static fields, nested paths included, on every event of a single batch', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('a', { message: 'x' }, { message: 'y', service: { name: 'api' } }) });
      const expected = '     -x-|';
      expectObservable(source.pipe(enrich(fields), map(eventsOf))).toBe(expected, {
        x: [
          { message: 'x', env: 'prod', service: { team: 'payments' } },
          { message: 'y', env: 'prod', service: { name: 'api', team: 'payments' } },
        ],
      });
    });
  });

  it('enriches many batches, leaving fields the event already has alone', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: batch('a', { env: 'dev' }), b: batch('b', { message: 'm' }) });
      const expected = '     -x-y-|';
      expectObservable(source.pipe(enrich({ env: 'prod' }), map(eventsOf))).toBe(expected, { x: [{ env: 'dev' }], y: [{ message: 'm', env: 'prod' }] });
    });
  });

  it('replaces fields the event already has with overwrite', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('a', { env: 'dev' }) });
      const expected = '     -x-|';
      expectObservable(source.pipe(enrich({ env: 'prod' }, { overwrite: true }), map(eventsOf))).toBe(expected, { x: [{ env: 'prod' }] });
    });
  });

  it('joins the lookup-table row of each event at the root, leaving existing fields, and counts misses', () => {
    const table = new Map([['u1', Object.freeze({ team: 'payments' })]]);
    const misses: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: batch('a', { user: 'u1' }, { user: 'u9' }), b: batch('b', { user: 'u1', team: 'own' }) });
      const expected = '     -x-y-|';
      expectObservable(source.pipe(enrich({}, { lookup: { table, keyField: 'user' } }, { onLookupMiss: (n) => misses.push(n) }), map(eventsOf))).toBe(expected, {
        x: [{ user: 'u1', team: 'payments' }, { user: 'u9' }],
        y: [{ user: 'u1', team: 'own' }],
      });
    });
    expect(misses).toEqual([1]);
  });

  it('joins the lookup-table row under a target path', () => {
    const table = new Map([['u1', Object.freeze({ team: 'payments' })]]);
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('c', { user: 'u1' }) });
      expectObservable(source.pipe(enrich({}, { lookup: { table, keyField: 'user', target: 'owner' } }), map(eventsOf))).toBe('-x-|', { x: [{ user: 'u1', owner: { team: 'payments' } }] });
    });
  });

  it('forwards a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-#', { a: batch('a', {}) }, failure);
      const subs = '         ^--!';
      const expected = '     -x-#';
      expectObservable(source.pipe(enrich({ env: 'prod' }), map(eventsOf))).toBe(expected, { x: [{ env: 'prod' }] }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('tears down its source when unsubscribed early', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b--', { a: batch('a', {}), b: batch('b', {}) });
      const unsub = '        ^--!';
      const subs = '         ^--!';
      const expected = '     -x--';
      expectObservable(source.pipe(enrich({ env: 'prod' }), map(eventsOf)), unsub).toBe(expected, { x: [{ env: 'prod' }] });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.pending()).toEqual(['a', 'b']);
  });

  it('keeps an event it cannot write (frozen) unchanged and tells hooks.onError, enriching the rest', () => {
    const errors: unknown[] = [];
    const frozen = Object.freeze({ message: 'frozen' });
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('a', frozen, { message: 'ok' }) });
      const expected = '     -x-|';
      expectObservable(source.pipe(enrich({ env: 'prod' }, {}, { onError: (error) => errors.push(error) }), map(eventsOf))).toBe(expected, {
        x: [{ message: 'frozen' }, { message: 'ok', env: 'prod' }],
      });
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });
});
