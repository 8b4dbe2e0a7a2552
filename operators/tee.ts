import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { Ack } from '../src/core/ack';
import type { Batch } from '../src/core/batch';

interface Reader {
  subscriber: Subscriber<Batch> | undefined;
  /** Why this reader is gone, once it is. */
  gone: Error | undefined;
  /** Its shares not yet settled: abandoned (rejected) if the reader dies holding them. */
  readonly held: Set<Ack>;
}

/**
 * Splits one stream of batches into `readers` streams that each see every batch: the
 * graph's fan-out. Upstream is subscribed once, when the last reader subscribes, so no
 * reader misses a batch. Each reader gets its own share of the ack (a child ack; the parent
 * is retained once per extra reader) and batches marked `shared` (copy-on-write).
 *
 * A reader that dies — its stream errors downstream, or it unsubscribes before the source
 * completes — rejects every share it still held (even one it was processing when it
 * failed) and the share of each later batch, so the source learns that branch did not get
 * them, while the other readers carry on.
 *
 * ```
 * source:   --a--b--|
 * reader 1: --a--b--|
 * reader 2: --a--X          (dies on b: its share of b is rejected, a's was settled)
 * ```
 *
 * @example
 * import { tee } from 'sluice';
 * const [toArchive, toAlerts] = tee(parsed$, 2);
 *
 * @see fanOut
 */
export function tee(
  source: Observable<Batch>,
  readers: number,
  /** Why reader `index` is gone, if its owner knows better than "stopped" (fanOut does). */
  lossReason: (index: number) => Error | undefined = () => undefined,
): Observable<Batch>[] {
  if (!(readers >= 1)) throw new RangeError('tee needs at least one reader');
  if (readers === 1) return [source];
  const all: Reader[] = Array.from({ length: readers }, () => ({ subscriber: undefined, gone: undefined, held: new Set<Ack>() }));
  let subscribed = 0;
  let finished = false;
  let upstream: Subscription | undefined;

  const kill = (reader: Reader, fallback: Error): void => {
    if (reader.gone) return;
    const reason = lossReason(all.indexOf(reader)) ?? fallback;
    reader.gone = reason;
    for (const ack of reader.held) ack.abandon(reason);
    reader.held.clear();
    if (all.every((r) => r.gone)) upstream?.unsubscribe();
  };

  const share = (reader: Reader, batch: Batch): void => {
    const parent = batch.ack;
    const child: Ack = Ack.create((outcome) => {
      reader.held.delete(child);
      if (outcome.ok) parent.resolve();
      else parent.reject(outcome.reason);
    });
    reader.held.add(child);
    const subscriber = reader.subscriber as Subscriber<Batch>;
    subscriber.next({ events: batch.events, ack: child, bytes: batch.bytes, shared: true });
    // A downstream error unsubscribes rather than reporting back: detect it here, where the
    // batch that caused it is still known.
    if (subscriber.closed) kill(reader, new Error('fan-out branch stopped while handling a batch'));
  };

  const connect = (): void => {
    upstream = source.subscribe({
      next(batch) {
        batch.ack.retain(readers - 1);
        for (const reader of all) {
          if (reader.gone) batch.ack.reject(reader.gone);
          else share(reader, batch);
        }
      },
      error(error) {
        finished = true;
        for (const reader of all) reader.subscriber?.error(error);
      },
      complete() {
        finished = true;
        for (const reader of all) reader.subscriber?.complete();
      },
    });
  };

  return all.map(
    (reader) =>
      new Observable<Batch>((subscriber) => {
        reader.subscriber = subscriber;
        subscribed += 1;
        if (subscribed === readers) connect();
        // A reader that completed normally holds nothing; one that still does was cut off
        // (its error was caught downstream, or it was unsubscribed) and its shares are lost.
        return () =>
          kill(reader, new Error(finished ? 'fan-out branch ended holding unsettled batches' : 'fan-out branch unsubscribed before its source completed'));
      }),
  );
}
