import { Observable, tap, type MonoTypeOperatorFunction, type OperatorFunction } from 'rxjs';
import type { Batch } from '../core/batch';
import type { ComponentMetrics } from '../observability/metrics';
import { operate } from '../../operators/operate';

/** Counts what a source emits (received = sent for a source: it is where events start). */
export function countSourceOutput(metrics: ComponentMetrics): MonoTypeOperatorFunction<Batch> {
  return tap((batch) => {
    metrics.countReceived(batch.events.length, batch.bytes);
    metrics.countSent(batch.events.length, batch.bytes);
  });
}

/**
 * Wraps a transform with the component contract: events and bytes in and out, and the time
 * the stage spends on a batch before passing it on. Time is recorded only for output
 * emitted synchronously within the input's call, which is exactly the CPU a map/filter/parse
 * stage costs; an asynchronous stage (re-batching) is not timed here.
 */
export function instrumentTransform(operator: OperatorFunction<Batch, Batch>, metrics: ComponentMetrics): OperatorFunction<Batch, Batch> {
  return (source) => {
    let started = -1;
    const timedInput = new Observable<Batch>((subscriber) =>
      operate(source, subscriber, {
        next(batch) {
          metrics.countReceived(batch.events.length, batch.bytes);
          started = performance.now();
          try {
            subscriber.next(batch);
          } finally {
            started = -1;
          }
        },
      }),
    );
    return operator(timedInput).pipe(
      tap((batch) => {
        if (started >= 0) {
          metrics.processing.observe((performance.now() - started) / 1000);
          started = -1;
        }
        metrics.countSent(batch.events.length, batch.bytes);
      }),
    );
  };
}
