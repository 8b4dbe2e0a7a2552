import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { filterByConditions, type FilterSpec } from '../operators/transform/filter';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const errorsOnly: FilterSpec = { conditions: [{ field: 'http.status', gte: 500 }] };
const statuses = (batch: Batch): string => batch.events.map((event) => (event.http as { status: number }).status).join(',');

describe('filterByConditions', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  const batch = (label: string, ...codes: number[]): Batch => createBatch(codes.map((status) => ({ http: { status } })), acks.ack(label));

  itHandlesEmptyAndNever(() => filterByConditions(errorsOnly));

  it('keeps the matching events of a single batch and counts the rest as discarded', () => {
    const discarded: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('a', 200, 503, 404, 500) });
      const expected = '     -x-|';
      expectObservable(source.pipe(filterByConditions(errorsOnly, { onDiscard: (n) => discarded.push(n) }), map(statuses))).toBe(expected, { x: '503,500' });
    });
    expect(discarded).toEqual([2]);
    expect(acks.state('a')).toBe('pending');
  });

  it('filters many batches, acknowledging and swallowing a batch left empty', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-c-|', { a: batch('a', 500), b: batch('b', 200, 201), c: batch('c', 502, 200) });
      const expected = '     -x---z-|';
      expectObservable(source.pipe(filterByConditions(errorsOnly), map(statuses))).toBe(expected, { x: '500', z: '502' });
    });
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'pending', b: 'resolved', c: 'pending' });
  });

  it('drops the matching events with action drop and mode any', () => {
    const spec: FilterSpec = { mode: 'any', action: 'drop', conditions: [{ field: 'http.status', equals: 200 }, { field: 'http.status', in: [301, 304] }] };
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('a', 200, 301, 404, 304, 500) });
      const expected = '     -x-|';
      expectObservable(source.pipe(filterByConditions(spec), map(statuses))).toBe(expected, { x: '404,500' });
    });
  });

  it('keeps the events an any/all/not group of conditions describes', () => {
    const spec: FilterSpec = { conditions: [{ any: [{ field: 'http.status', gte: 500 }, { all: [{ field: 'http.status', gte: 400 }, { not: { field: 'http.status', equals: 404 } }] }] }] };
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('a', 200, 404, 403, 503, 302) });
      const expected = '     -x-|';
      expectObservable(source.pipe(filterByConditions(spec), map(statuses))).toBe(expected, { x: '403,503' });
    });
  });

  it('forwards a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-#', { a: batch('a', 500) }, failure);
      const subs = '         ^--!';
      const expected = '     -x-#';
      expectObservable(source.pipe(filterByConditions(errorsOnly), map(statuses))).toBe(expected, { x: '500' }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('tears down its source when unsubscribed early', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b--', { a: batch('a', 500), b: batch('b', 501) });
      const unsub = '        ^--!';
      const subs = '         ^--!';
      const expected = '     -x--';
      expectObservable(source.pipe(filterByConditions(errorsOnly), map(statuses)), unsub).toBe(expected, { x: '500' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.pending()).toEqual(['a', 'b']);
  });

  it('keeps an event whose field throws when read, and tells hooks.onError (fail open)', () => {
    const errors: unknown[] = [];
    const hostile: LogEvent = {};
    Object.defineProperty(hostile, 'http', { enumerable: true, get: () => { throw new Error('getter exploded'); } });
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([{ http: { status: 200 } }, hostile, { http: { status: 500 } }], acks.ack('a'), 10) });
      const expected = '     -x-|';
      expectObservable(source.pipe(filterByConditions(errorsOnly, { onError: (error) => errors.push(error) }), map((out) => out.events.length))).toBe(expected, { x: 2 });
    });
    expect(errors).toEqual([new Error('getter exploded')]);
  });
});
