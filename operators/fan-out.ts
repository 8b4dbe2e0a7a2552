import { Observable, Subject, Subscription, type OperatorFunction } from 'rxjs';
import type { Batch } from '../src/core/batch';
import { toError } from '../src/core/errors';

/**
 * Sends every batch to each of `branches` and merges what they emit. The batch's ack is
 * retained once per extra branch, so the source hears back only when every branch has
 * settled its share; the batch is marked `shared` so branch stages copy before they write.
 *
 * A branch that errors does not stop its siblings: from then on its share of each batch is
 * rejected with that error (the source learns delivery failed), the others carry on, and the
 * merged output errors with the first branch failure once every other branch has finished.
 *
 * ```
 * source:   --a----b----|
 * branch 1: --a1---b1---|
 * branch 2: --a2---#          (fails: b's share is rejected)
 * result:   --(a1a2)-b1-#     (errors after branch 1 completes)
 * ```
 *
 * @example
 * import { fanOut, deliver } from 'sluice';
 * const both = fanOut([deliver(fileSink), deliver(kafkaSink)]);
 *
 * @see deliver
 */
export function fanOut<R>(branches: ReadonlyArray<OperatorFunction<Batch, R>>): OperatorFunction<Batch, R> {
  const count = branches.length;
  if (count === 0) throw new RangeError('fanOut needs at least one branch');
  return (source) =>
    new Observable<R>((subscriber) => {
      const inputs = branches.map(() => new Subject<Batch>());
      const failures: Array<Error | undefined> = new Array(count).fill(undefined);
      let firstFailure: Error | undefined;
      let running = count;
      const subscription = new Subscription();

      const branchDone = (): void => {
        running -= 1;
        if (running > 0) return;
        if (firstFailure) subscriber.error(firstFailure);
        else subscriber.complete();
      };

      branches.forEach((branch, index) => {
        subscription.add(
          branch(inputs[index]).subscribe({
            next: (value) => subscriber.next(value),
            error: (error) => {
              const failure = toError(error);
              failures[index] = failure;
              firstFailure ??= failure;
              branchDone();
            },
            complete: branchDone,
          }),
        );
      });

      subscription.add(
        source.subscribe({
          next(input) {
            if (count > 1) input.ack.retain(count - 1);
            const shared: Batch = count > 1 ? { ...input, shared: true } : input;
            for (let i = 0; i < count; i++) {
              const failure = failures[i];
              if (failure) shared.ack.reject(failure);
              else inputs[i].next(shared);
            }
          },
          error: (error) => inputs.forEach((input) => input.error(error)),
          complete: () => inputs.forEach((input) => input.complete()),
        }),
      );
      return subscription;
    });
}
