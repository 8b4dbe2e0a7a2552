import type { OperatorFunction } from 'rxjs';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createBatch, type Batch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { AckRecorder } from '../../helpers/batches';
import { itHandlesEmptyAndNever } from '../../../marbles/checklist';

/**
 * The marble checklist every field transform shares (empty, never, error, early
 * unsubscribe), for the specs in marbles/: `operator(scheduler)` builds the operator under
 * test, `event` is one event it lets through.
 */
export function itFollowsTheTransformChecklist(operator: (scheduler: TestScheduler) => OperatorFunction<Batch, Batch>, event: LogEvent = { message: 'm' }): void {
  itHandlesEmptyAndNever(() => operator(new TestScheduler(() => undefined)));

  it('forwards a source error after the batches before it', () => {
    const failure = new Error('source failed');
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-#', { a: createBatch([{ ...event }]) }, failure);
      const subs = '         ^--!';
      const expected = '     -x-#';
      expectObservable(source.pipe(operator(scheduler), map((batch) => batch.events.length))).toBe(expected, { x: 1 }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('tears down its source when unsubscribed early, leaving later batches unacknowledged', () => {
    const acks = new AckRecorder();
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b--', { a: createBatch([{ ...event }], acks.ack('a')), b: createBatch([{ ...event }], acks.ack('b')) });
      const unsub = '        ^--!';
      const subs = '         ^--!';
      const expected = '     -x--';
      expectObservable(source.pipe(operator(scheduler), map((batch) => batch.events.length)), unsub).toBe(expected, { x: 1 });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.pending()).toEqual(['a', 'b']);
  });
}
