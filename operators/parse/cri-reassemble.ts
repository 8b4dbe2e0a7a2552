import type { OperatorFunction, SchedulerLike } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import { mergeGroups } from './multiline/merge-groups';
import { streamKey, type StreamKey } from './multiline/stream-key';

/** How the partial lines of a container runtime are put back together. */
export interface ReassembleOptions {
  /** The stream a line belongs to; default the batch's origin (the container's log file) and `stream` (stdout/stderr). */
  readonly groupBy?: StreamKey;
  /** Most characters of one reassembled message; a piece that would exceed it starts a new event. Default 1 MiB. */
  readonly maxBytes?: number;
  /** A partial line whose rest has not come for this long (ms) is emitted as it is; default 1000. */
  readonly flushAfterMs?: number;
  readonly scheduler?: SchedulerLike;
}

/** Default of {@link ReassembleOptions.maxBytes}: 64 of the kubelet's 16 KiB pieces. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Joins the pieces of a long line that a container runtime split (CRI tag `P`, Docker's
 * `log` without a trailing newline) into one event per stream: a run of partial pieces and
 * the full piece that ends it become one event with their `message`s concatenated and the
 * other fields of the first piece. `partial` tells which parsed events are pieces to be
 * continued; `parsed` which ones parsed at all (an unparsed line closes the stream's run
 * and passes alone). The reassembled event's ack covers every piece.
 */
export function reassemblePartials(partial: WeakSet<LogEvent>, parsed: WeakSet<LogEvent>, options: ReassembleOptions): OperatorFunction<Batch, Batch> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!(maxBytes >= 1)) throw new RangeError('maxBytes must be at least 1');
  const sizeOf = (event: LogEvent): number => (typeof event.message === 'string' ? event.message.length : 0);
  return mergeGroups({
    keyOf: options.groupBy ?? streamKey(['stream']),
    // A held run only ever ends in a partial piece: anything parsed continues it, unless the text would grow past the bound.
    startsGroup: (event, held) => !parsed.has(event) || held.bytes + sizeOf(event) > maxBytes,
    endsGroup: (event) => !partial.has(event),
    sizeOf,
    join: (events) => {
      let message = '';
      for (const event of events) message += typeof event.message === 'string' ? event.message : '';
      return { ...events[0], message };
    },
    flushAfterMs: options.flushAfterMs ?? 1000,
    scheduler: options.scheduler,
  });
}
