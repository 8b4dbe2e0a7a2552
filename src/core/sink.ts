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

/**
 * An output's I/O adapter. The generic `deliver` operator drives `send` with bounded
 * concurrency and settles acks from its result; the sink never touches acks. A thrown or
 * rejected send fails the whole batch (a `DeliveryError` says whether it is retryable).
 */
export interface Sink {
  send(batch: Batch): Promise<SendResult>;
  /** Makes everything sent so far durable (fsync, flush a client's buffer). */
  flush?(): Promise<void>;
  /** Releases the sink's resources once nothing more will be sent. */
  close(): Promise<void>;
}
