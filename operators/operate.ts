import type { Observable, Subscription } from 'rxjs';

/** Where an operator's output ends: its subscriber (or, for a fan-out, every reader). */
export interface OperateTarget {
  error(error: unknown): void;
  complete(): void;
}

/** What an operator body does with each notification of its source. */
export interface OperateHandlers<T> {
  next(value: T): void;
  /** Default: pass the error on. */
  error?(error: unknown): void;
  /** Default: complete. */
  complete?(): void;
}

/**
 * Subscribes an operator's body to its source so that anything its handlers throw errors
 * the operator's output (and so tears the operator down, settling what it holds) instead of
 * escaping as an uncaught exception that would take the whole process down. A plain observer
 * passed to `subscribe` does not do this: RxJS reports a throw from it asynchronously, as
 * an unhandled error. Every sluice operator that subscribes by hand goes through here.
 *
 * @example
 * new Observable<Batch>((subscriber) => {
 *   const subscription = operate(source, subscriber, { next: (batch) => subscriber.next(batch) });
 *   return () => subscription.unsubscribe();
 * });
 */
export function operate<T>(source: Observable<T>, subscriber: OperateTarget, handlers: OperateHandlers<T>): Subscription {
  const fail = (error: unknown): void => subscriber.error(error);
  const onError = handlers.error ?? fail;
  const onComplete = handlers.complete ?? (() => subscriber.complete());
  return source.subscribe({
    next(value) {
      try {
        handlers.next(value);
      } catch (error) {
        fail(error);
      }
    },
    error(error: unknown) {
      try {
        onError(error);
      } catch (thrown) {
        fail(thrown);
      }
    },
    complete() {
      try {
        onComplete();
      } catch (thrown) {
        fail(thrown);
      }
    },
  });
}
