import { defer, Observable, ReplaySubject, retry, Subscription, timer } from 'rxjs';
import { toError } from '../core/errors';
import type { Sink, StartOptions } from '../core/sink';
import type { ComponentContext } from '../components/context';
import type { Delivery } from '../../operators/deliver';

/** Options of {@link SinkLifecycle}. */
export interface SinkLifecycleOptions {
  /** Longest one start or health probe may take (the sink's `request_timeout`). */
  readonly timeoutMs: number;
  /** Wait before the second attempt; doubles per failure. Default 1 s. */
  readonly initialBackoffMs?: number;
  /** Longest wait between attempts. Default 30 s. */
  readonly maxBackoffMs?: number;
}

/**
 * One attempt of `call` (a start or a health probe) with a deadline: emits once on success,
 * errors on failure or at the deadline (and then aborts the signal it handed over).
 */
function attempt(call: (options: StartOptions) => Promise<void>, context: ComponentContext, timeoutMs: number, what: string): Observable<void> {
  return new Observable<void>((subscriber) => {
    const controller = new AbortController();
    let done = false;
    const deadline = context.scheduler.schedule(() => {
      done = true;
      const reason = new Error(`${what} did not finish within ${timeoutMs} ms`);
      controller.abort(reason);
      subscriber.error(reason);
    }, timeoutMs);
    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      deadline.unsubscribe();
      if (error === undefined) {
        subscriber.next();
        subscriber.complete();
      } else subscriber.error(error);
    };
    defer(() => call({ signal: controller.signal })).subscribe({ next: () => finish(), error: (error: unknown) => finish(toError(error)) });
    return () => {
      deadline.unsubscribe();
      if (!done) controller.abort(new Error('pipeline stopped'));
      done = true;
    };
  });
}

/**
 * Starts a sink and keeps `/ready` truthful about it. `run()` calls `sink.start()` (the
 * component is `starting`); a failure marks it `down` with the error, is logged and counted
 * (`errors_total{error_type="start"}`), and is tried again with capped exponential backoff
 * on the context's scheduler, for as long as the pipeline runs: a sink that cannot reach its
 * server is an outage, never a crash. `started` emits once it succeeded; `deliver` holds
 * every send until then, so batches wait and credit pushes back on the sources.
 *
 * Once running, `observe()` reads each delivery: a batch that failed entirely and
 * retryably is an outage (`down`, and `sink.healthy()` is probed with the same backoff when
 * the sink has one); a send that delivered anything marks it `ready` again.
 */
export class SinkLifecycle {
  private readonly ready = new ReplaySubject<void>(1);
  /** Emits (and replays) once `start()` succeeded; at once for a sink with no `start`. */
  readonly started: Observable<void> = this.ready;
  private outage = false;
  private probing?: Subscription;
  private readonly running = new Subscription();

  constructor(
    private readonly sink: Sink,
    private readonly context: ComponentContext,
    private readonly options: SinkLifecycleOptions,
  ) {
    if (sink.start) context.health.starting();
  }

  /** Starts the sink (retrying until it succeeds); unsubscribe to stop trying. */
  run(): Subscription {
    const start = this.sink.start?.bind(this.sink);
    if (!start) this.ready.next();
    else {
      this.running.add(
        this.untilSuccess(start, 'start').subscribe(() => {
          this.context.health.ready();
          this.ready.next();
        }),
      );
    }
    this.running.add(() => this.probing?.unsubscribe());
    return this.running;
  }

  /** Reads one settled send: an outage marks the sink down, a delivery marks it ready. */
  observe(delivery: Delivery): void {
    if (delivery.delivered > 0) {
      if (!this.outage) return;
      this.outage = false;
      this.probing?.unsubscribe();
      this.context.health.ready();
      return;
    }
    if (this.outage || delivery.failures.length === 0 || !delivery.failures.every((failure) => failure.retryable)) return;
    this.outage = true;
    this.context.health.down(delivery.failures[0].error);
    const healthy = this.sink.healthy?.bind(this.sink);
    if (healthy && !this.running.closed) {
      this.probing = this.untilSuccess(healthy, 'health check').subscribe(() => {
        if (!this.outage) return;
        this.outage = false;
        this.context.health.ready();
      });
    }
  }

  /** `call` until it succeeds, marking the sink down on every failure. */
  private untilSuccess(call: (options: StartOptions) => Promise<void>, what: string): Observable<void> {
    const { timeoutMs, initialBackoffMs = 1000, maxBackoffMs = 30_000 } = this.options;
    const { context } = this;
    return attempt(call, context, timeoutMs, what).pipe(
      retry({
        delay: (error: unknown, count: number) => {
          const waitMs = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(count - 1, 30));
          context.health.down(toError(error));
          context.metrics.error(what === 'start' ? 'start' : 'health_check');
          context.logger.warn({ err: error, attempt: count, retry_in_ms: waitMs }, `sink ${what} failed; trying again`);
          return timer(waitMs, context.scheduler);
        },
      }),
    );
  }
}
