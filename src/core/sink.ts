import type { Batch } from './batch';
import type { FailedEvent } from './errors';

/** One event of a batch that a sink could not deliver. */
export type EventFailure = FailedEvent;

/** What a send achieved: no failures means every event was delivered. */
export interface SendResult {
  readonly failures?: readonly EventFailure[];
}

/** The result of a send that delivered everything. */
export const DELIVERED: SendResult = Object.freeze({});

/** What `deliver` hands each send. */
export interface SendOptions {
  /**
   * Aborted when the send's deadline (the sink's `request_timeout`) passes or the stage is
   * torn down. By then `deliver` has already counted the whole batch as a retryable failure,
   * so the sink should stop (pass the signal to `fetch`, the client, the socket write) and
   * free its resources; whatever it still delivers later is a duplicate, never a loss.
   */
  readonly signal: AbortSignal;
}

/** What {@link Sink.start} is handed. */
export interface StartOptions {
  /** Aborted when a start attempt times out or the pipeline stops before it succeeded. */
  readonly signal: AbortSignal;
}

/**
 * An output's I/O adapter. The generic `deliver` operator drives `send` with bounded
 * concurrency and settles acks from its result; the sink never touches acks.
 *
 * - `start()` reaches the server (connect, authenticate, check the bucket or topic) and
 *   throws if it cannot. The graph calls it before the first send; until it succeeds the
 *   sink is reported `starting`/`down` on `/ready`, its batches wait (credit pushes back on
 *   the sources), and the graph tries again with capped backoff: a sink that cannot start is
 *   an outage, not a crash. Absent: nothing to reach.
 * - `send()` may fail events one by one (`failures`, each retryable or permanent, with an
 *   optional `retryAfterMs` hint). A thrown or rejected send fails the whole batch: a
 *   `DeliveryError` says whether it is retryable; a TypeError/RangeError (a bug or data no
 *   retry will fix) is permanent; any other error (an OS error with a `code`) is retryable.
 * - `healthy()` probes the server after sends failed with an outage; resolving marks the
 *   sink ready again before the next real send succeeds. Absent: the next successful send
 *   does it.
 */
export interface Sink {
  start?(options: StartOptions): Promise<void>;
  send(batch: Batch, options: SendOptions): Promise<SendResult>;
  healthy?(options: StartOptions): Promise<void>;
  /** Makes everything sent so far durable (fsync, flush a client's buffer). */
  flush?(): Promise<void>;
  /** Releases the sink's resources once nothing more will be sent. */
  close(): Promise<void>;
}
