import type { Observable, OperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Batch } from '../src/core/batch';

/**
 * The first two items of every operator's marble checklist: an empty source completes the
 * result at once without emitting, and a source that never emits leaves the result silent
 * and subscribed. `operator` builds the operator under test (called once per test).
 */
export function itHandlesEmptyAndNever(operator: () => OperatorFunction<Batch, unknown>): void {
  const check = (sourceMarbles: string, subscription: string, result: string): void => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Batch>(sourceMarbles);
      expectObservable(source.pipe(operator()) as Observable<unknown>).toBe(result);
      expectSubscriptions(source.subscriptions).toBe(subscription);
    });
  };
  it('completes without emitting when the source is empty', () => check('|', '(^!)', '|'));
  it('emits nothing and stays subscribed when the source never emits', () => check('-', '^', '-'));
}
