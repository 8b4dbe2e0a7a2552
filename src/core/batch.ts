import { Ack } from './ack';
import type { LogEvent } from './event';

/**
 * The unit that flows between stages: events plus one acknowledgement handle. `bytes` is
 * the size the source read for them (credit and byte metrics use it; stages keep it).
 */
export interface Batch {
  readonly events: LogEvent[];
  readonly ack: Ack;
  readonly bytes: number;
  /**
   * True after a fan-out: the event objects are shared with sibling branches, so a stage
   * that changes them must copy first (copy-on-write; {@link mapEvents} does it for you).
   */
  readonly shared?: boolean;
}

/** A batch of `events` with a fresh ack, sized by their JSON encoding unless told. */
export function createBatch(events: LogEvent[], ack: Ack = Ack.create(), bytes?: number): Batch {
  return { events, ack, bytes: bytes ?? estimateBytes(events) };
}

/** The same batch (same ack, same bytes) carrying other events: what a stage emits. */
export function withEvents(batch: Batch, events: LogEvent[]): Batch {
  return { events, ack: batch.ack, bytes: batch.bytes, shared: batch.shared };
}

/** Approximate wire size of events: what they will cost once encoded as NDJSON. */
export function estimateBytes(events: readonly LogEvent[]): number {
  let total = 0;
  for (const event of events) {
    const message = event.message;
    total += typeof message === 'string' ? message.length + 32 : JSON.stringify(event).length + 1;
  }
  return total;
}
