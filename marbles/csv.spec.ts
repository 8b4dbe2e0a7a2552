import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { parseCsvLines } from '../operators/parse/csv';
import type { Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const eventsOf = (batch: Batch): LogEvent[] => batch.events;

describe('parseCsvLines', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  itHandlesEmptyAndNever(() => parseCsvLines());

  it('names the columns of a single batch from configured columns', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', '1,"a, b"') });
      expectObservable(source.pipe(parseCsvLines({ columns: ['n', 's'] }), map(eventsOf))).toBe('-x-|', { x: [{ n: '1', s: 'a, b' }] });
    });
    expect(acks.state('a')).toBe('pending');
  });

  it('learns the header from the first row of the stream and swallows a batch holding only it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: acks.batch('a', 'n,s'), b: acks.batch('b', '1,x', '2,y') });
      expectObservable(source.pipe(parseCsvLines(), map(eventsOf))).toBe('---y-|', { y: [{ n: '1', s: 'x' }, { n: '2', s: 'y' }] });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('forwards a source error after the batches before it', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-#', { a: acks.batch('a', '1') }, failure);
      expectObservable(source.pipe(parseCsvLines({ columns: ['n'] }), map(eventsOf))).toBe('-x-#', { x: [{ n: '1' }] }, failure);
    });
  });

  it('tears down its source when unsubscribed early', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b-', { a: acks.batch('a', '1'), b: acks.batch('b', '2') });
      expectObservable(source.pipe(parseCsvLines({ columns: ['n'] }), map(eventsOf)), '^--!').toBe('-x--', { x: [{ n: '1' }] });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('keeps the row and tells onError when the parse-error callback throws', () => {
    const errors: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const onParseError = () => {
        throw new Error('metrics broke');
      };
      const source = cold('  -a-|', { a: acks.batch('a', '1,2', '3') });
      const parse = parseCsvLines({ columns: ['n'] }, { onParseError, onError: (error) => errors.push(error) });
      expectObservable(source.pipe(parse, map(eventsOf))).toBe('-x-|', { x: [{ message: '1,2', tags: ['csv_parse_error'] }, { n: '3' }] });
    });
    expect(errors).toHaveLength(1);
  });
});
