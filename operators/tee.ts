import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { Ack } from '../src/core/ack';
import type { Batch } from '../src/core/batch';
import { LinkedSet } from '../src/core/linked-set';
import { operate } from './operate';

/** How a fan-out hands batches to its readers. */
export interface TeeOptions {
  /**
   * `parallel` (default): every reader gets each batch at once. `sequential`: reader i+1
   * gets a batch only once reader i has settled its share (an archive before a forwarder).
   */
  readonly mode?: 'parallel' | 'sequential';
  /**
   * `continue` (default): a reader's failure rejects only its own share. `stop` (sequential
   * only): later readers do not get a batch an earlier reader failed; their shares are
   * rejected with that failure.
   */
  readonly failure?: 'continue' | 'stop';
}

/** One reader's stream, and a way for its owner to declare it dead. */
export interface TeeReader extends Observable<Batch> {
  /**
   * The reader's path has failed (its error was caught further down, as the graph does):
   * every share it holds and its share of each later batch are rejected with `reason`.
   */
  abandon(reason: Error): void;
}

interface Reader {
  subscriber: Subscriber<Batch> | undefined;
  /** Why this reader is gone, once it is. */
  gone: Error | undefined;
  /** Its shares not yet settled: abandoned (rejected) if the reader dies holding them. */
  readonly held: LinkedSet<Ack>;
  /** Sequential mode: batches still to be handed to it; it completes only after them. */
  waiting: number;
}

/**
 * Splits one stream of batches into `readers` streams that each see every batch: the
 * graph's fan-out. Upstream is subscribed once, when the last reader subscribes, so no
 * reader misses a batch. Each reader gets its own share of the ack (a child ack; the parent
 * is retained once per extra reader) and batches marked `shared` (copy-on-write).
 *
 * A reader that dies — it unsubscribes before the source completed, or its owner calls
 * {@link TeeReader.abandon} because its path failed — rejects every share it held (even
 * the one it was processing when it failed) and its share of each later batch, so the
 * source learns that branch did not get them, while the other readers carry on.
 *
 * ```
 * source:   --a--b--|
 * reader 1: --a--b--|
 * reader 2: --a--X          (dies on b: its share of b is rejected, a's was settled)
 * ```
 *
 * @example
 * import { tee } from 'sluice';
 * const [toArchive, toAlerts] = tee(parsed$, 2, { mode: 'sequential', failure: 'stop' });
 *
 * @see fanOut
 */
export function tee(source: Observable<Batch>, readers: number, options: TeeOptions = {}): TeeReader[] {
  if (!(readers >= 1)) throw new RangeError('tee needs at least one reader');
  const sequential = options.mode === 'sequential';
  const stopOnFailure = options.failure === 'stop';
  if (stopOnFailure && !sequential) throw new RangeError('tee: failure "stop" needs mode "sequential"');
  const all: Reader[] = Array.from({ length: readers }, () => ({ subscriber: undefined, gone: undefined, held: new LinkedSet<Ack>(), waiting: 0 }));
  let subscribed = 0;
  let finished = false;
  let upstream: Subscription | undefined;

  const kill = (reader: Reader, reason: Error): void => {
    if (reader.gone) return;
    reader.gone = reason;
    // Abandoning settles each share, whose listener removes it from `held`.
    for (const ack of reader.held.values()) ack.abandon(reason);
    if (all.every((r) => r.gone)) upstream?.unsubscribe();
  };

  const completeIfDone = (reader: Reader): void => {
    if (finished && reader.waiting === 0 && !reader.gone) reader.subscriber?.complete();
  };

  /** Hands `batch` to reader `index`; `then` runs once its share settled (sequential). */
  const share = (index: number, batch: Batch, then?: (ok: boolean, reason?: Error) => void): void => {
    const reader = all[index];
    const parent = batch.ack;
    if (reader.gone) {
      parent.reject(reader.gone);
      then?.(false, reader.gone);
      return;
    }
    const child: Ack = Ack.create((outcome) => {
      reader.held.remove(node);
      if (outcome.ok) parent.resolve();
      else parent.reject(outcome.reason);
      then?.(outcome.ok, outcome.ok ? undefined : outcome.reason);
    });
    const node = reader.held.add(child);
    parent.linkUrge(child);
    const subscriber = reader.subscriber as Subscriber<Batch>;
    // Events are shared only between several readers; one reader still gets its own ack
    // share, so that abandoning its path can reject what it holds.
    subscriber.next({ events: batch.events, ack: child, bytes: batch.bytes, shared: readers > 1 || batch.shared === true });
  };

  const shareFrom = (index: number, batch: Batch): void => {
    if (index > 0) {
      all[index].waiting -= 1;
    }
    share(index, batch, (ok, reason) => {
      const next = index + 1;
      if (next >= readers) return;
      if (!ok && stopOnFailure) {
        for (let i = next; i < readers; i++) {
          all[i].waiting -= 1;
          batch.ack.reject(reason as Error);
          completeIfDone(all[i]);
        }
        return;
      }
      shareFrom(next, batch);
      completeIfDone(all[next]);
    });
  };

  const connect = (): void => {
    // A throw here (a bug in a reader's synchronous path) errors every reader: they share the
    // one upstream subscription, so none of them can go on alone.
    const everyReader = {
      error: (error: unknown) => all.forEach((reader) => reader.subscriber?.error(error)),
      complete: () => all.forEach((reader) => reader.subscriber?.complete()),
    };
    upstream = operate(source, everyReader, {
      next(batch) {
        if (readers > 1) batch.ack.retain(readers - 1);
        if (!sequential) {
          for (let i = 0; i < readers; i++) share(i, batch);
          return;
        }
        for (let i = 1; i < readers; i++) all[i].waiting += 1;
        shareFrom(0, batch);
      },
      error(error) {
        finished = true;
        for (const reader of all) reader.subscriber?.error(error);
      },
      complete() {
        finished = true;
        for (const reader of all) completeIfDone(reader);
      },
    });
  };

  return all.map((reader) => {
    const stream = new Observable<Batch>((subscriber) => {
      reader.subscriber = subscriber;
      subscribed += 1;
      if (subscribed === readers) connect();
      // After the source finished, teardown is normal: what the reader's stages still hold
      // (a batch timer, a send in flight) they settle themselves.
      return () => {
        if (!finished) kill(reader, new Error('fan-out branch unsubscribed before its source completed'));
      };
    });
    return Object.assign(stream, { abandon: (reason: Error) => kill(reader, reason) });
  });
}
