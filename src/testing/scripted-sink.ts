import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Batch } from '../core/batch';
import { DeliveryError } from '../core/errors';
import type { LogEvent } from '../core/event';
import { DELIVERED, type EventFailure, type SendOptions, type SendResult, type Sink } from '../core/sink';
import { compileCondition, type Condition } from '../../operators/transform/conditions';

/** How a scripted failure fails. */
export interface FailureOptions {
  /** May another try succeed? Retry stages resend only retryable failures. */
  readonly retryable?: boolean;
  /** The error text the sink answers with (what the dead-letter queue records). */
  readonly message?: string;
}

/** One send the sink answered: when, what it carried, and which of its events failed. */
export interface SendRecord {
  /** Virtual time the send started. */
  readonly at: number;
  readonly events: readonly LogEvent[];
  /** Indices (in this send) of the events that failed; every index when the whole send failed. */
  readonly failed: readonly number[];
}

interface EventRule {
  readonly matches: (event: LogEvent) => boolean;
  readonly error: DeliveryError;
  /** Failures left before the rule stops applying. */
  remaining: number;
}

/**
 * A sink whose answers a test scripts: fail the next N sends, fail given events, answer
 * slowly. What it delivers is captured in order, so the same sink is the capturing sink a
 * pipeline test reads its outputs from. Time (a slow answer) is the scheduler's, so under a
 * virtual clock a 30 s answer takes no real time.
 *
 * @example
 * const search = new ScriptedSink().failNext(3).failEvents({ field: 'poison', exists: true }).respondAfter(2_000);
 */
export class ScriptedSink implements Sink {
  /** Every event delivered, in delivery order. */
  readonly delivered: LogEvent[] = [];
  /** Every send, in call order. */
  readonly sends: SendRecord[] = [];
  private whole: Array<{ remaining: number; error: DeliveryError }> = [];
  private readonly rules: EventRule[] = [];
  private latencyMs = 0;
  private closedFlag = false;

  constructor(private scheduler: SchedulerLike = asyncScheduler) {}

  /** Uses `scheduler` for slow answers (the pipeline harness hands its virtual clock). */
  useScheduler(scheduler: SchedulerLike): this {
    this.scheduler = scheduler;
    return this;
  }

  /** Fails the next `count` sends whole (retryable unless told: an outage). `Infinity`: down until {@link recover}. */
  failNext(count: number, options: FailureOptions = {}): this {
    this.whole.push({ remaining: count, error: new DeliveryError(options.message ?? 'scripted outage', options.retryable ?? true) });
    return this;
  }

  /** Ends every scripted whole-send failure: the server is back. */
  recover(): this {
    this.whole = [];
    return this;
  }

  /**
   * Fails each event that matches (a predicate, or a condition in the same language as the
   * `filter` transform), permanently unless told: a poison event the server refuses. With
   * `times`, an event fails only that many times in all (then it is accepted).
   */
  failEvents(match: Condition | ((event: LogEvent) => boolean), options: FailureOptions & { readonly times?: number } = {}): this {
    const matches = typeof match === 'function' ? match : compileCondition(match, 'failEvents');
    this.rules.push({ matches, error: new DeliveryError(options.message ?? 'scripted event failure', options.retryable ?? false), remaining: options.times ?? Number.POSITIVE_INFINITY });
    return this;
  }

  /** Answers every send only after `ms` of (virtual) time. */
  respondAfter(ms: number): this {
    this.latencyMs = ms;
    return this;
  }

  /** True once the pipeline closed the sink. */
  get closed(): boolean {
    return this.closedFlag;
  }

  async send(batch: Batch, options: SendOptions): Promise<SendResult> {
    const at = this.scheduler.now();
    const record = { at, events: batch.events, failed: [] as number[] };
    this.sends.push(record);
    if (this.latencyMs > 0) await this.wait(this.latencyMs, options.signal);
    const outage = this.whole.find((rule) => rule.remaining > 0);
    if (outage) {
      outage.remaining -= 1;
      record.failed.push(...batch.events.map((_, index) => index));
      throw outage.error;
    }
    const failures: EventFailure[] = [];
    batch.events.forEach((event, index) => {
      const rule = this.rules.find((candidate) => candidate.remaining > 0 && candidate.matches(event));
      if (rule) {
        rule.remaining -= 1;
        failures.push({ index, error: rule.error, retryable: rule.error.retryable });
        record.failed.push(index);
      } else {
        this.delivered.push(event);
      }
    });
    return failures.length === 0 ? DELIVERED : { failures };
  }

  async close(): Promise<void> {
    this.closedFlag = true;
  }

  private wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.scheduler.schedule(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        timer.unsubscribe();
        reject(new DeliveryError('send aborted (request_timeout)', true));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
