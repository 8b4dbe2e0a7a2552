import { Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import { operate } from '../operate';
import { MemoryStore } from './memory-store';
import { redeliver } from './redeliver';
import { Outlet } from './outlet';
import {
  BufferAbandonedError,
  BufferFullError,
  DEFAULT_EMIT_MAX_BYTES,
  DEFAULT_EMIT_MAX_EVENTS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_SAMPLE_HIGH_WATER,
  DEFAULT_SAMPLE_RATE,
  guardHooks,
  type BufferHooks,
  type OutletSizing,
  type WhenFull,
} from './policy';
import { Ring } from '../../src/core/ring';

/** Options of {@link memoryBuffer}. */
export interface MemoryBufferOptions extends OutletSizing {
  /** Most events held (not yet handed downstream). */
  readonly maxEvents: number;
  /** Most bytes held, by the batches' `bytes`. */
  readonly maxBytes: number;
  /** What to do with a batch that does not fit (default `block`). */
  readonly whenFull?: WhenFull;
  /** `sample`: keep one event in this many while above the high-water mark (default 10). */
  readonly sampleRate?: number;
  /** `sample`: the utilisation, 0..1, above which sampling starts (default 0.8). */
  readonly sampleHighWater?: number;
  readonly hooks?: BufferHooks;
  /** The clock of redelivery backoff (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/**
 * A bounded in-memory buffer and ack boundary. It acknowledges each batch upstream as soon
 * as it holds it, emits downstream under its own acks with at most `maxInFlight` batches
 * unsettled (merging queued batches up to `emitMaxEvents`). It never lets go of events on a
 * retryable failure: those are redelivered with capped exponential backoff, without limit,
 * while the backlog waits in the buffer (and credit stops the source once it is full).
 * Events a downstream rejects permanently are counted (`hooks.onDeliveryFailed`; put a
 * dead-letter stage after the buffer to keep them). When full, `whenFull` decides: `block` holds the upstream ack until there is room
 * (so the source's credit stops it), `drop_newest` / `drop_oldest` / `sample` drop and
 * count, `reject` refuses the batch (its upstream ack is rejected with `BufferFullError`). On completion (or an upstream error) it drains everything, then completes (or
 * errors); on unsubscribe it rejects the upstream acks it still holds.
 *
 * ```
 * source:  -abcd|            (maxEvents 2, drop_newest, maxInFlight 1, each downstream
 * result:  -a---b---(c|)     ack 4 frames later: b, c wait; d does not fit, is counted)
 * ```
 *
 * @example
 * import { memoryBuffer } from 'sluice';
 * const buffered = memoryBuffer({ maxEvents: 10_000, maxBytes: 64 * 1024 * 1024, whenFull: 'drop_oldest' });
 *
 * @see diskBuffer
 * @see deadLetter
 */
export function memoryBuffer(options: MemoryBufferOptions): OperatorFunction<Batch, Batch> {
  const store = memoryStore(options);
  return (source) => source.pipe(store, redeliver(options.scheduler, options.hooks));
}

/** The buffer itself: store, policy and outlet (redelivery is composed on by {@link memoryBuffer}). */
function memoryStore(options: MemoryBufferOptions): OperatorFunction<Batch, Batch> {
  const { maxEvents, maxBytes } = options;
  const whenFull = options.whenFull ?? 'block';
  const sampleRate = options.sampleRate ?? DEFAULT_SAMPLE_RATE;
  const sampleHighWater = options.sampleHighWater ?? DEFAULT_SAMPLE_HIGH_WATER;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const emitMaxEvents = options.emitMaxEvents ?? DEFAULT_EMIT_MAX_EVENTS;
  const emitMaxBytes = options.emitMaxBytes ?? DEFAULT_EMIT_MAX_BYTES;
  const hooks = guardHooks(options.hooks);
  if (!(maxEvents >= 1) || !(maxBytes >= 1)) throw new RangeError('memoryBuffer: maxEvents and maxBytes must be at least 1');
  if (!(maxInFlight >= 1)) throw new RangeError('memoryBuffer: maxInFlight must be at least 1');
  if (!(sampleRate >= 1)) throw new RangeError('memoryBuffer: sampleRate must be at least 1');
  return (source) =>
    new Observable<Batch>((subscriber) => {
      const store = new MemoryStore({ maxEvents, maxBytes, whenFull, sampleRate, sampleHighWater }, hooks);
      // `block`: batches waiting for room, upstream ack held; bounded by the source's credit.
      const waiting = new Ring<Batch>();
      let ended: { error?: unknown } | undefined;
      let reported = -1;

      const outlet = new Outlet<number>({
        maxInFlight,
        take: () => store.take(emitMaxEvents, emitMaxBytes),
        ready: () => store.events > 0 || waiting.length > 0,
        draining: () => ended !== undefined,
        emit: (batch) => subscriber.next(batch),
        settled: (_events, outcome, failed) => {
          if (!outcome.ok && failed > 0) hooks.onDeliveryFailed(failed, outcome.reason);
          service();
        },
      });

      /** Moves waiting batches in while they fit, resolving their upstream acks; true if any moved. */
      const admitWaiting = (): boolean => {
        let moved = false;
        for (let head = waiting.peek(); head !== undefined && store.fits(head.events.length, head.bytes); head = waiting.peek()) {
          waiting.shift();
          store.offer({ events: head.events, bytes: head.bytes, shared: head.shared });
          head.ack.resolve();
          moved = true;
        }
        return moved;
      };

      const service = (): void => {
        do {
          outlet.pump();
        } while (admitWaiting());
        const fraction = store.utilisation;
        if (fraction !== reported) hooks.onUtilisation((reported = fraction));
        hooks.onSize(store.bytes, store.events);
        if (ended === undefined || subscriber.closed) return;
        // Everything emitted: acks still out settle through the outlet after completion.
        if (store.events > 0 || waiting.length > 0) return;
        if ('error' in ended) subscriber.error(ended.error);
        else subscriber.complete();
      };

      const receive = (batch: Batch): void => {
        if (batch.events.length === 0) return batch.ack.resolve();
        if (waiting.length > 0) {
          waiting.push(batch); // keep arrival order behind the batches already waiting
          return;
        }
        const offered = store.offer({ events: batch.events, bytes: batch.bytes, shared: batch.shared });
        if (offered === 'full') waiting.push(batch);
        else if (offered === 'rejected') {
          hooks.onRejected(batch.events.length);
          batch.ack.reject(new BufferFullError());
        } else batch.ack.resolve();
        service();
      };

      const subscription = operate(source, subscriber, {
        next: receive,
        error: (error: unknown) => {
          ended = { error };
          service();
        },
        complete: () => {
          ended = {};
          service();
        },
      });

      return () => {
        subscription.unsubscribe();
        outlet.stop();
        const reason = new BufferAbandonedError('buffer torn down before it had room for the batch');
        for (const batch of waiting.drain()) batch.ack.reject(reason);
        const abandoned = store.clear();
        if (abandoned > 0) hooks.onAbandoned(abandoned);
      };
    });
}
