import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { parseCri } from '../operators/parse/cri';
import { GroupAbandonedError } from '../operators/parse/multiline/merge-groups';
import type { Batch } from '../src/core/batch';
import { acknowledge, AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const line = (stream: string, tag: string, log: string) => `2026-11-30T14:10:00.000000001Z ${stream} ${tag} ${log}`;
const shown = (batch: Batch): string => batch.events.map((event) => `${String(event.stream)}:${String(event.message)}`).join(',');

describe('parseCri', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  const cri = () => parseCri({ flushAfterMs: 5, scheduler: testScheduler });

  itHandlesEmptyAndNever(cri);

  it('passes a batch of full lines through at once, as one batch', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', line('stdout', 'F', 'one'), line('stderr', 'F', 'two')) });
      expectObservable(source.pipe(cri(), acknowledge(), map(shown))).toBe('-x-|', { x: 'stdout:one,stderr:two' });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('joins partial lines of many batches when their F piece arrives, per stream', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values = {
        a: acks.batch('a', line('stdout', 'P', 'he')),
        b: acks.batch('b', line('stderr', 'F', 'err'), line('stdout', 'P', 'll')),
        c: acks.batch('c', line('stdout', 'F', 'o')),
      };
      const source = cold('  -a-b-c-|', values);
      expectObservable(source.pipe(cri(), acknowledge(), map(shown))).toBe('---x-y-|', { x: 'stderr:err', y: 'stdout:hello' });
    });
    expect(acks.pending()).toEqual([]);
  });

  it('emits a partial line whose rest never comes flushAfterMs later', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a 9ms |', { a: acks.batch('a', line('stdout', 'P', 'cut')) });
      expectObservable(source.pipe(cri(), acknowledge(), map(shown))).toBe('- 5ms x 4ms |', { x: 'stdout:cut' });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('flushes held pieces before forwarding a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-#', { a: acks.batch('a', line('stdout', 'P', 'cut')) }, failure);
      expectObservable(source.pipe(cri(), acknowledge(), map(shown))).toBe('---(x#)', { x: 'stdout:cut' }, failure);
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('rejects held pieces when unsubscribed early, and tears down its source', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a----', { a: acks.batch('a', line('stdout', 'P', 'cut')) });
      expectObservable(source.pipe(cri(), map(shown)), '^--!').toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(acks.cause('a')).toBeInstanceOf(GroupAbandonedError);
  });

  it('keeps the event and tells onError when a parse-error callback throws', () => {
    const errors: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const onParseError = () => {
        throw new Error('metrics broke');
      };
      const source = cold('  -a-|', { a: acks.batch('a', 'not cri') });
      const operator = parseCri({ scheduler: testScheduler }, { onParseError, onError: (error) => errors.push(error) });
      expectObservable(source.pipe(operator, map((batch) => batch.events.map((event) => event.message)))).toBe('-x-|', { x: ['not cri'] });
    });
    expect(errors).toHaveLength(1);
  });
});
