import { DeliveryError } from '../../src/core/errors';
/**
 * What a full buffer does with an incoming batch. `reject` refuses it: its upstream ack is
 * rejected with a {@link BufferFullError}, so a dead-letter stage in front keeps it (a sink's
 * `when_full: reject` with a `dead_letter:` block sheds to the DLQ) or the source hears it.
 */
export type WhenFull = 'block' | 'drop_newest' | 'drop_oldest' | 'sample' | 'reject';

/** The `discarded{reason}` a buffer counts its policy drops under. */
export type BufferDiscardReason = 'drop_newest' | 'drop_oldest' | 'sampled';

/**
 * What a buffer reports; the component wires these to metrics and the log. Every count is
 * of events, and nothing a buffer drops goes uncounted.
 */
export interface BufferHooks {
  /** Events dropped by the `when_full` policy. */
  onDiscard?(reason: BufferDiscardReason, count: number): void;
  /**
   * Events a downstream rejection reports as failed for good (a retryable failure is
   * redelivered instead, without limit). The upstream was acked when the buffer took them,
   * so they are dropped: a `dead_letter` stage after the buffer is where to keep them.
   */
  onDeliveryFailed?(count: number, reason: Error): void;
  /** How full the buffer is, 0..1, after each change (the utilisation gauge). */
  onUtilisation?(fraction: number): void;
  /** What the buffer holds after each change: bytes, and events where it counts them (memory). */
  onSize?(bytes: number, events?: number): void;
  /** Events an in-memory buffer still held when it was torn down before draining. */
  onAbandoned?(count: number): void;
  /** `reject`: events refused because the buffer was full. */
  onRejected?(count: number): void;
  /** `count` events failed retryably downstream and wait `delayMs` to be sent again. */
  onRetry?(count: number, delayMs: number): void;
}

/** Options both buffers share: the downstream window and how batches are merged for it. */
export interface OutletSizing {
  /** Most batches emitted downstream and not yet acknowledged (default 4). */
  readonly maxInFlight?: number;
  /**
   * Queued batches are merged into one downstream batch up to this many events (default
   * 1000), so a backlog drains in few large batches; a larger input batch is never split.
   */
  readonly emitMaxEvents?: number;
  /** Byte bound of a merged downstream batch (default 4 MiB). */
  readonly emitMaxBytes?: number;
}

/** The reason a full buffer with `when_full: reject` gives its upstream: not retryable. */
export class BufferFullError extends DeliveryError {
  override name = 'BufferFullError';
  constructor(message = 'buffer full: batch refused (when_full: reject)') {
    super(message, false);
  }
}

/** Thrown into the upstream acks a buffer still held (`block`) when it was torn down. */
export class BufferAbandonedError extends Error {
  override name = 'BufferAbandonedError';
}

export const DEFAULT_MAX_IN_FLIGHT = 4;
export const DEFAULT_EMIT_MAX_EVENTS = 1000;
export const DEFAULT_EMIT_MAX_BYTES = 4 * 1024 * 1024;
export const DEFAULT_SAMPLE_RATE = 10;
export const DEFAULT_SAMPLE_HIGH_WATER = 0.8;

/** `hook` unable to throw: a metrics callback that throws must never break the data path. */
export function guard<A extends unknown[]>(hook: ((...args: A) => void) | undefined): (...args: A) => void {
  if (hook === undefined) return () => undefined;
  return (...args: A): void => {
    try {
      hook(...args);
    } catch {
      // swallowed: counting failed, the data is what matters here
    }
  };
}

/** Every hook present and guarded (see {@link guard}). */
export function guardHooks(hooks: BufferHooks = {}): Required<BufferHooks> {
  return {
    onDiscard: guard(hooks.onDiscard?.bind(hooks)),
    onDeliveryFailed: guard(hooks.onDeliveryFailed?.bind(hooks)),
    onUtilisation: guard(hooks.onUtilisation?.bind(hooks)),
    onSize: guard(hooks.onSize?.bind(hooks)),
    onAbandoned: guard(hooks.onAbandoned?.bind(hooks)),
    onRejected: guard(hooks.onRejected?.bind(hooks)),
    onRetry: guard(hooks.onRetry?.bind(hooks)),
  };
}
