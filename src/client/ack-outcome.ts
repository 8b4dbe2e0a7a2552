import type { Item } from './batch-window';
import type { WireStreamAck } from './proto';
import type { FailedEvent } from './stream-options';

/** What one StreamAck means for the batch it answers. */
export type AckOutcome =
  /** The whole batch was refused (rate limit, credit, draining): resend it after `retryAfterMs`. */
  | { readonly refused: true; readonly retryAfterMs: number }
  | {
      readonly refused: false;
      /** Events acknowledged: every one the ack does not name. */
      readonly accepted: number;
      /** Named as retryable: to be resent. */
      readonly retry: Item[];
      /** Named as not retryable: to be given up, with sluice's reason. */
      readonly failed: FailedEvent[];
      /** The reason of the last retryable rejection, for a later give-up report. */
      readonly lastRetryReason: string;
    };

/**
 * Reads a StreamAck against the batch's items. An ack with `retry_after_ms` that accepts and
 * names nothing refuses the batch as a whole; otherwise the named indices are rejected (an
 * index outside the batch, or named twice, is ignored: it cannot refer to anything sent).
 */
export function interpretAck(items: readonly Item[], ack: WireStreamAck): AckOutcome {
  if (ack.retry_after_ms > 0 && ack.accepted === 0 && ack.rejected.length === 0) return { refused: true, retryAfterMs: ack.retry_after_ms };
  const retry: Item[] = [];
  const failed: FailedEvent[] = [];
  const named = new Set<number>();
  let lastRetryReason = '';
  for (const rejection of ack.rejected) {
    const item = items[rejection.index];
    if (item === undefined || named.has(rejection.index)) continue;
    named.add(rejection.index);
    if (rejection.retryable) {
      retry.push(item);
      lastRetryReason = rejection.reason;
    } else failed.push({ event: item.event, reason: rejection.reason });
  }
  return { refused: false, accepted: items.length - named.size, retry, failed, lastRetryReason };
}
