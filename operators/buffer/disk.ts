import { Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { Logger } from '../../src/observability/logger';
import type { FsyncPolicy } from '../../src/wal/journal';
import { RECORD_HEADER_SIZE } from '../../src/wal/record';
import { Ring } from '../../src/core/ring';
import { Wal, type WalHooks } from '../../src/wal/wal';
import { encodeRecord, takeRecords, type Stored } from './disk-records';
import { operate } from '../operate';
import { Outlet } from './outlet';
import { redeliver } from './redeliver';
import { BufferAbandonedError, BufferFullError, DEFAULT_EMIT_MAX_BYTES, DEFAULT_EMIT_MAX_EVENTS, DEFAULT_MAX_IN_FLIGHT, guard, guardHooks, type BufferHooks, type OutletSizing } from './policy';

/** {@link BufferHooks} plus what the log reports (`wal_corrupt`, missing segments, I/O errors). */
export type DiskBufferHooks = BufferHooks & WalHooks;

/** Options of {@link diskBuffer}. */
export interface DiskBufferOptions extends OutletSizing {
  /** The directory of the write-ahead log (created if absent). */
  readonly path: string;
  /** Most bytes of unacknowledged records on disk. */
  readonly maxBytes: number;
  /** `block` (default) holds the upstream ack until there is room; `drop_newest` drops and counts. */
  readonly whenFull?: 'block' | 'drop_newest' | 'reject';
  readonly maxSegmentBytes?: number;
  /** When an upstream ack may resolve: after each write is synced, after the next interval sync, or once written. */
  readonly fsync?: FsyncPolicy;
  readonly fsyncIntervalMs?: number;
  readonly scheduler?: SchedulerLike;
  /** Records and bytes kept in memory so that a reader keeping up never reads back from disk. */
  readonly cacheMaxRecords?: number;
  readonly cacheMaxBytes?: number;
  readonly hooks?: DiskBufferHooks;
  readonly logger?: Logger;
  /** Runs once the log is closed after completion or teardown (written data synced, cursor saved). */
  readonly onClosed?: () => void;
}

/**
 * A durable buffer and ack boundary over a write-ahead log: each batch becomes one record
 * (its events as a JSON array), and its upstream ack resolves once the record is written
 * and synced per `fsync`. It replays every unacknowledged record on start, before new
 * input; emits in order, at most `maxInFlight` batches unsettled, merging records up to
 * about `emitMaxEvents`; and moves the log's cursor over the contiguous prefix the
 * downstream has acknowledged. A retryable failure never makes it let go: the failed events
 * are redelivered with capped exponential backoff, without limit, while the backlog stays
 * in the log. A permanent rejection is counted by `hooks.onDeliveryFailed`, then treated
 * as done (a dead-letter stage after the buffer keeps such events). It survives `kill -9`: what it acked upstream is replayed after a
 * restart, at least once. Full (`maxBytes`): `block` or `drop_newest`. On completion it
 * drains, waits for the downstream acks, closes the log, then completes.
 *
 * ```
 * source:  -a-b-|        (log already holding r from before a restart)
 * result:  r-a-b-|       (r replayed first; a, b acked upstream once synced)
 * ```
 *
 * @example
 * import { diskBuffer } from 'sluice';
 * const durable = diskBuffer({ path: '/var/lib/sluice/buffer', maxBytes: 1024 ** 3, fsync: 'interval' });
 *
 * @see memoryBuffer
 */
export function diskBuffer(options: DiskBufferOptions): OperatorFunction<Batch, Batch> {
  const log = diskLog(options);
  return (source) => source.pipe(log, redeliver(options.scheduler, options.hooks));
}

/** The buffer itself: log, policy and outlet (redelivery is composed on by {@link diskBuffer}). */
function diskLog(options: DiskBufferOptions): OperatorFunction<Batch, Batch> {
  const { maxBytes } = options;
  const whenFull = options.whenFull ?? 'block';
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const emitMax = { events: options.emitMaxEvents ?? DEFAULT_EMIT_MAX_EVENTS, bytes: options.emitMaxBytes ?? DEFAULT_EMIT_MAX_BYTES };
  const given = options.hooks ?? {};
  const hooks = guardHooks(given);
  const walHooks: WalHooks = { onCorrupt: guard(given.onCorrupt?.bind(given)), onMissing: guard(given.onMissing?.bind(given)), onIoError: guard(given.onIoError?.bind(given)) };
  if (!(maxBytes >= 1) || !(maxInFlight >= 1)) throw new RangeError('diskBuffer: maxBytes and maxInFlight must be at least 1');
  return (source) =>
    new Observable<Batch>((subscriber) => {
      const wal = Wal.open<Stored>({ ...options, dir: options.path, hooks: walHooks });
      const syncsOnInterval = (options.fsync ?? 'interval') === 'interval';
      const syncNow = (): void => wal.syncNow();
      // `block`: batches waiting for room, encoded, upstream ack held; bounded by credit.
      const waiting = new Ring<{ batch: Batch; payload: Buffer }>();
      let ended: { error?: unknown } | undefined;
      let closed = false;
      let reported = -1;

      const outlet = new Outlet<number[]>({
        maxInFlight,
        take: () => takeRecords(wal, emitMax, () => walHooks.onCorrupt?.(1)),
        ready: () => waiting.length > 0 || wal.usedBytes > 0,
        draining: () => ended !== undefined,
        emit: (batch) => subscriber.next(batch),
        settled: (seqs, outcome, failed) => {
          if (closed) return; // torn down: the log is closing, these records replay next start
          if (!outcome.ok && failed > 0) hooks.onDeliveryFailed(failed, outcome.reason);
          for (const seq of seqs) wal.ack(seq);
          service();
        },
      });

      const fits = (payload: Buffer): boolean => wal.usedBytes <= 0 || wal.usedBytes + RECORD_HEADER_SIZE + payload.length <= maxBytes;
      const write = (batch: Batch, payload: Buffer): void => {
        const stored: Stored = { events: batch.events, shared: batch.shared };
        wal.append(payload, stored, (error) => (error ? batch.ack.reject(error) : batch.ack.resolve()));
        // The producer urges once it cannot send more until this ack settles: sync now rather than at the interval.
        if (syncsOnInterval) batch.ack.onUrge(syncNow);
      };
      const admitWaiting = (): boolean => {
        let moved = false;
        for (let head = waiting.peek(); head !== undefined && fits(head.payload); head = waiting.peek()) {
          waiting.shift();
          write(head.batch, head.payload);
          moved = true;
        }
        return moved;
      };

      let closing: Promise<void> | undefined;
      const close = (): Promise<void> => (closing ??= wal.close().then(guard(options.onClosed)));
      const finish = (end: { error?: unknown }): void => {
        closed = true;
        void close().then(() => ('error' in end ? subscriber.error(end.error) : subscriber.complete()));
      };

      const service = (): void => {
        do {
          outlet.pump();
        } while (admitWaiting());
        const fraction = Math.min(1, Math.max(0, wal.usedBytes) / maxBytes);
        if (fraction !== reported) hooks.onUtilisation((reported = fraction));
        hooks.onSize(Math.max(0, wal.usedBytes));
        if (ended !== undefined && !closed && waiting.length === 0 && outlet.inFlight === 0) finish(ended);
      };

      const receive = (input: Batch): void => {
        if (input.events.length === 0) return input.ack.resolve();
        // Events that are not JSON (a BigInt, a cycle, nesting that overflows the stack) cannot
        // be stored: they fail alone, permanently, and the rest of the batch is buffered.
        const encoded = encodeRecord(input);
        if (encoded === undefined) return;
        const { batch, payload } = encoded;
        if (waiting.length === 0 && fits(payload)) {
          write(batch, payload);
        } else if (whenFull === 'block') {
          waiting.push({ batch, payload }); // ack held: the source's credit stops it
        } else if (whenFull === 'reject') {
          hooks.onRejected(batch.events.length);
          batch.ack.reject(new BufferFullError());
        } else {
          hooks.onDiscard('drop_newest', batch.events.length);
          batch.ack.resolve();
        }
        service();
      };

      service(); // replay what the log holds before any new input
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
        closed = true;
        const reason = new BufferAbandonedError('disk buffer torn down before it had room for the batch');
        for (const { batch } of waiting.drain()) batch.ack.reject(reason);
        void close();
      };
    });
}
