import { Observable, Subscription, type OperatorFunction } from 'rxjs';
import type { Batch } from '../src/core/batch';
import { toError } from '../src/core/errors';
import { tee } from './tee';

/**
 * Sends every batch to each of `branches` and merges what they emit. Each branch gets its
 * own share of the batch's ack (see {@link tee}), so the source hears back only when every
 * branch has settled; batches are marked `shared` so branch stages copy before they write.
 *
 * A branch that errors does not stop its siblings: the shares it held and its share of each
 * later batch are rejected with that error (the source learns delivery failed), the others
 * carry on, and the merged output errors with the first branch failure once every other
 * branch has finished. A branch that completes before its source is treated the same way.
 *
 * ```
 * source:   --a----b----|
 * branch 1: --a1---b1---|
 * branch 2: --a2---#          (fails on b: its share of b is rejected)
 * result:   --(a1a2)-b1-#     (errors after branch 1 completes)
 * ```
 *
 * @example
 * import { fanOut, deliver } from 'sluice';
 * const both = fanOut([deliver(fileSink), deliver(kafkaSink)]);
 *
 * @see tee
 * @see deliver
 */
export function fanOut<R>(branches: ReadonlyArray<OperatorFunction<Batch, R>>): OperatorFunction<Batch, R> {
  const count = branches.length;
  if (count === 0) throw new RangeError('fanOut needs at least one branch');
  return (source) =>
    new Observable<R>((subscriber) => {
      let firstFailure: Error | undefined;
      const failures: Array<Error | undefined> = new Array(count).fill(undefined);
      let running = count;
      const subscription = new Subscription();
      const branchDone = (): void => {
        running -= 1;
        if (running > 0) return;
        if (firstFailure) subscriber.error(firstFailure);
        else subscriber.complete();
      };
      const inputs = tee(source, count, (index) => failures[index]);
      branches.forEach((branch, index) => {
        subscription.add(
          branch(inputs[index]).subscribe({
            next: (value) => subscriber.next(value),
            error: (error) => {
              // Recorded before the branch lets go of its input, so its lost shares carry it.
              failures[index] = toError(error);
              firstFailure ??= failures[index];
              branchDone();
            },
            complete: branchDone,
          }),
        );
      });
      return subscription;
    });
}
