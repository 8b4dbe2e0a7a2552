import { Observable, Subscription, type OperatorFunction } from 'rxjs';
import type { Batch } from '../src/core/batch';
import { toError } from '../src/core/errors';
import { tee, type TeeOptions } from './tee';

/**
 * Sends every batch to each of `branches` and merges what they emit. Each branch gets its
 * own share of the batch's ack (see {@link tee}), so the source hears back only when every
 * branch has settled; batches are marked `shared` so branch stages copy before they write.
 *
 * `options.mode: 'sequential'` hands a batch to branch i+1 only after branch i settled it,
 * and `failure: 'stop'` then skips the later branches of a batch an earlier one failed.
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
export function fanOut<R>(branches: ReadonlyArray<OperatorFunction<Batch, R>>, options: TeeOptions = {}): OperatorFunction<Batch, R> {
  const count = branches.length;
  if (count === 0) throw new RangeError('fanOut needs at least one branch');
  return (source) =>
    new Observable<R>((subscriber) => {
      let firstFailure: Error | undefined;
      let running = count;
      const subscription = new Subscription();
      const branchDone = (): void => {
        running -= 1;
        if (running > 0) return;
        if (firstFailure) subscriber.error(firstFailure);
        else subscriber.complete();
      };
      const inputs = tee(source, count, options);
      branches.forEach((branch, index) => {
        subscription.add(
          branch(inputs[index]).subscribe({
            next: (value) => subscriber.next(value),
            error: (error) => {
              const failure = toError(error);
              // Before the branch lets go of its input, so its lost shares carry this reason.
              inputs[index].abandon(failure);
              firstFailure ??= failure;
              branchDone();
            },
            complete: () => {
              // The branch's output is done: a share it still holds (a branch that ended
              // before its source, or swallowed an error) will never be settled by it.
              inputs[index].abandon(new Error(`fanOut: branch ${index} completed without settling every batch`));
              branchDone();
            },
          }),
        );
      });
      return subscription;
    });
}
