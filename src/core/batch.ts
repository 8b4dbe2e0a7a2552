import { Ack } from './ack';
import type { LogEvent } from './event';

/**
 * Where a batch's events came from, shared by all of them: set once per batch by the source
 * (per connection, per file, per Kafka partition), so no event pays for a property of its
 * own. Like per-event metadata it is never shipped; stages that keep a batch keep its meta,
 * stages that regroup events keep it per piece. A source hands the same frozen object to
 * every batch of one connection or file: do not mutate it, spread it to change it.
 * Metadata that differs between events of one batch (a line's offset, a DLQ entry's error)
 * stays per event, under `EVENT_META`.
 */
export interface BatchMeta {
  /** The source component's id. */
  readonly source?: string;
  /** What the source read from: `tcp`, `udp`, `tls`, `unix`, `file`, `http`, `grpc`, `kafka`. */
  readonly input?: string;
  /** The file read (file tail). */
  readonly path?: string;
  /** The remote address, `host:port` (TCP, TLS, UDP, HTTP and gRPC clients). */
  readonly peer?: string;
  /** An id of the connection or stream, unique within the source while the process runs. */
  readonly connection?: string;
  readonly topic?: string;
  readonly partition?: number;
  /** Anything else a source knows per batch (a TLS client certificate subject, an API key name). */
  readonly [key: string]: string | number | boolean | undefined;
}

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
  /** Where the events came from (per connection, file or partition); see {@link BatchMeta}. */
  readonly meta?: BatchMeta;
}

/** A batch of `events` with a fresh ack, sized by their JSON encoding unless told. */
export function createBatch(events: LogEvent[], ack: Ack = Ack.create(), bytes?: number, meta?: BatchMeta): Batch {
  return meta === undefined ? { events, ack, bytes: bytes ?? estimateBytes(events) } : { events, ack, bytes: bytes ?? estimateBytes(events), meta };
}

/** The same batch (same ack, same bytes, same meta) carrying other events: what a stage emits. */
export function withEvents(batch: Batch, events: LogEvent[]): Batch {
  return { events, ack: batch.ack, bytes: batch.bytes, shared: batch.shared, meta: batch.meta };
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
