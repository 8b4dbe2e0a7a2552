import { Observable, type Subscriber, type Subscription } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import { operate } from '../operate';

/** The output a route sends the events no route matched to. */
export const UNMATCHED = '_unmatched';

/** A batch leaving a multi-output stage (a `route`) by one of its named outputs. */
export interface OutputBatch {
  readonly output: string;
  readonly batch: Batch;
}

interface Reader {
  subscriber: Subscriber<Batch> | undefined;
  /** Why this output's reader is gone, once it is: its later batches are rejected with it. */
  gone: Error | undefined;
}

/**
 * Splits a stream of {@link OutputBatch} into one stream of batches per output that has a
 * reader: the graph's wiring behind `inputs: [route_id.output]`. Upstream is subscribed once,
 * when every returned stream is subscribed, so no output misses a batch. A batch for an
 * output nobody reads (`_unmatched` left unwired) is acknowledged at once and reported to
 * `onUnread`, which counts it: a deliberate drop, never a silent one. A reader that
 * unsubscribes before upstream completed rejects its later batches (the source learns that
 * branch did not get them); once every reader is gone, upstream is unsubscribed.
 *
 * ```
 * source:   --a(x)--b(y)--c(z)--|      (z is read by nobody)
 * x:        --a-----------------|
 * y:        --------b-----------|      c acknowledged, onUnread('z', 1)
 * ```
 *
 * @example
 * import { splitOutputs } from 'sluice';
 * const byOutput = splitOutputs(routed$, ['errors', '_unmatched'], (output, count) => dropped(output, count));
 *
 * @see route
 * @see tee
 */
export function splitOutputs(
  source: Observable<OutputBatch>,
  read: readonly string[],
  onUnread: (output: string, events: number) => void,
): ReadonlyMap<string, Observable<Batch>> {
  const readers = new Map<string, Reader>(read.map((output) => [output, { subscriber: undefined, gone: undefined }]));
  let subscribed = 0;
  let finished = false;
  let upstream: Subscription | undefined;
  const all = [...readers.values()];

  const connect = (): void => {
    const everyReader = {
      error: (error: unknown) => all.forEach((reader) => reader.subscriber?.error(error)),
      complete: () => all.forEach((reader) => reader.subscriber?.complete()),
    };
    upstream = operate(source, everyReader, {
      next({ output, batch }) {
        const reader = readers.get(output);
        if (reader === undefined) {
          onUnread(output, batch.events.length);
          batch.ack.resolve();
        } else if (reader.gone) {
          batch.ack.reject(reader.gone);
        } else {
          reader.subscriber?.next(batch);
        }
      },
      error(error) {
        finished = true;
        everyReader.error(error);
      },
      complete() {
        finished = true;
        everyReader.complete();
      },
    });
  };

  const streams = new Map<string, Observable<Batch>>();
  for (const [output, reader] of readers) {
    streams.set(
      output,
      new Observable<Batch>((subscriber) => {
        reader.subscriber = subscriber;
        subscribed += 1;
        if (subscribed === readers.size) connect();
        return () => {
          if (finished || reader.gone) return;
          reader.gone = new Error(`output "${output}" unsubscribed before its input completed`);
          if (all.every((r) => r.gone)) upstream?.unsubscribe();
        };
      }),
    );
  }
  return streams;
}
