import type { Batch } from '../../src/core/batch';
import { BatchDeliveryError, DeliveryError, toError, type FailedEvent } from '../../src/core/errors';
import type { LogEvent } from '../../src/core/event';
import { RECORD_HEADER_SIZE } from '../../src/wal/record';
import type { Wal } from '../../src/wal/wal';
import type { Outgoing } from './outlet';

/** What the disk buffer keeps in memory with a record while the log caches it. */
export interface Stored {
  readonly events: LogEvent[];
  readonly shared?: boolean;
}

/** A record's payload (a JSON array of events) decoded; undefined when it is not one. */
export function decodeRecord(payload: Buffer): Stored | undefined {
  try {
    const events: unknown = JSON.parse(payload.toString('utf8'));
    return Array.isArray(events) ? { events: events as LogEvent[] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The next downstream batch of a disk buffer: records in log order, merged until about
 * `limits.events` events or `limits.bytes` bytes (a record is never split). The token is
 * the records' sequence numbers, acknowledged in the log once the batch's ack settles.
 * A record whose payload does not decode (intact CRC, so a bug rather than bit rot) is
 * reported, acknowledged and skipped.
 */
export function takeRecords(wal: Wal<Stored>, limits: { events: number; bytes: number }, undecodable: () => void): Outgoing<number[]> | undefined {
  const parts: LogEvent[][] = [];
  const seqs: number[] = [];
  let events = 0;
  let bytes = 0;
  let shared = false;
  while (events < limits.events && bytes < limits.bytes) {
    const entry = wal.next();
    if (entry === undefined) break;
    const stored = entry.value ?? (entry.payload && decodeRecord(entry.payload));
    if (stored === undefined) {
      undecodable();
      wal.ack(entry.seq);
      continue;
    }
    parts.push(stored.events);
    seqs.push(entry.seq);
    events += stored.events.length;
    bytes += entry.size - RECORD_HEADER_SIZE;
    shared ||= stored.shared === true;
  }
  if (seqs.length === 0) return undefined;
  return { events: parts.length === 1 ? parts[0] : parts.flat(), bytes, shared, token: seqs };
}

/**
 * A batch as one log record (its events as a JSON array). When the whole batch cannot be
 * encoded, it is encoded event by event: the events that cannot be (a BigInt, a cycle, a
 * nesting deep enough to overflow the stack) fail alone and permanently, the others go on
 * under a pick of the ack. Undefined when no event could be encoded (the ack is rejected).
 */
export function encodeRecord(batch: Batch): { batch: Batch; payload: Buffer } | undefined {
  try {
    return { batch, payload: Buffer.from(JSON.stringify(batch.events)) };
  } catch {
    // fall through to the per-event path: only this rare batch pays for it
  }
  const kept: LogEvent[] = [];
  const keptAt: number[] = [];
  const parts: string[] = [];
  const failures: FailedEvent[] = [];
  batch.events.forEach((event, index) => {
    try {
      parts.push(JSON.stringify(event));
      kept.push(event);
      keptAt.push(index);
    } catch (thrown) {
      const error = new DeliveryError(`event cannot be stored in the disk buffer: ${toError(thrown).message}`, false, { cause: thrown });
      failures.push({ index, error, retryable: false });
    }
  });
  const reason = new BatchDeliveryError(failures, batch.events.length);
  if (kept.length === 0) {
    batch.ack.reject(reason);
    return undefined;
  }
  const ack = batch.ack.pick(keptAt);
  batch.ack.reject(reason);
  const bytes = Math.round((batch.bytes * kept.length) / batch.events.length);
  return { batch: { ...batch, events: kept, ack, bytes }, payload: Buffer.from(`[${parts.join(',')}]`) };
}
