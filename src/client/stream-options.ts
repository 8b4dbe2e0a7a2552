import type { IngestEvent } from './event';

/** Why the client stopped trying to deliver some events. */
export type GiveUpCause =
  /** The event could not be encoded (bad timestamp, fields that are not JSON, over `maxEventBytes`). */
  | 'invalid'
  /** Sluice answered that it will never accept it (`retryable: false`). */
  | 'rejected'
  /** It was sent `maxAttempts` times without being accepted. */
  | 'attempts'
  /** It was older than `maxAgeMs` when it would have been resent. */
  | 'max_age'
  /** `close()` reached its deadline before sluice acknowledged it. */
  | 'closed';

/** One event the client gave up on, and why. */
export interface FailedEvent {
  readonly event: IngestEvent;
  readonly reason: string;
}

/** What a `give-up` event carries: the events (as they were written) and the reason for each. */
export interface GiveUp {
  readonly cause: GiveUpCause;
  readonly failures: readonly FailedEvent[];
}

/** What an `ack` event carries: one StreamAck as the stream settled it. */
export interface AckInfo {
  readonly sequence: number;
  /** Events of the batch sluice acknowledged. */
  readonly accepted: number;
  /** Events it rejected but that will be resent. */
  readonly retrying: number;
  /** Events it rejected for good (also reported by a `give-up` event). */
  readonly rejected: number;
}

/** Batching, window and give-up policy of a stream. */
export interface IngestStreamOptions {
  /** Most events per batch (one StreamRequest). Default 500. */
  readonly batchMaxEvents?: number;
  /** Most bytes per batch (estimated protobuf size). Default 1 MiB, well under gRPC's 4 MiB message limit. */
  readonly batchMaxBytes?: number;
  /** A partial batch is sent this long after its first event. Default 100 ms. */
  readonly lingerMs?: number;
  /** Most batches sent and not yet acknowledged. Default 16. */
  readonly maxUnackedBatches?: number;
  /** Most bytes in batches sent and not yet acknowledged. Default 16 MiB. */
  readonly maxUnackedBytes?: number;
  /** Larger events are given up at once (`invalid`). Default: `batchMaxBytes`. */
  readonly maxEventBytes?: number;
  /** Sends of one event before giving up on it (`attempts`). Default: no limit. */
  readonly maxAttempts?: number;
  /** Age (ms since it was written) after which an event is given up instead of resent (`max_age`). Default: no limit. */
  readonly maxAgeMs?: number;
  /** Called with what the stream gave up on (as well as the `give-up` event). */
  readonly onGiveUp?: (giveUp: GiveUp) => void;
  /** Source of randomness for backoff jitter (tests pass a seeded one). */
  readonly random?: () => number;
}

export type ResolvedStreamOptions = Required<Omit<IngestStreamOptions, 'onGiveUp'>> & Pick<IngestStreamOptions, 'onGiveUp'>;

const MIB = 1024 * 1024;

function check(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min) throw new RangeError(`sluice client: ${name} must be a number of at least ${min}, got ${String(value)}`);
  return value;
}

/** Fills in defaults and checks ranges (a RangeError names the option). */
export function resolveStreamOptions(options: IngestStreamOptions = {}): ResolvedStreamOptions {
  const batchMaxBytes = check('batchMaxBytes', options.batchMaxBytes, MIB, 64);
  const maxUnackedBytes = check('maxUnackedBytes', options.maxUnackedBytes, Math.max(16 * MIB, batchMaxBytes), 64);
  if (maxUnackedBytes < batchMaxBytes) throw new RangeError('sluice client: maxUnackedBytes must be at least batchMaxBytes');
  const maxEventBytes = check('maxEventBytes', options.maxEventBytes, batchMaxBytes, 1);
  if (maxEventBytes > batchMaxBytes) throw new RangeError('sluice client: maxEventBytes must not exceed batchMaxBytes');
  return {
    batchMaxEvents: Math.floor(check('batchMaxEvents', options.batchMaxEvents, 500, 1)),
    batchMaxBytes,
    lingerMs: check('lingerMs', options.lingerMs, 100, 0),
    maxUnackedBatches: Math.floor(check('maxUnackedBatches', options.maxUnackedBatches, 16, 1)),
    maxUnackedBytes,
    maxEventBytes,
    maxAttempts: check('maxAttempts', options.maxAttempts, Infinity, 1),
    maxAgeMs: check('maxAgeMs', options.maxAgeMs, Infinity, 0),
    random: options.random ?? Math.random,
    onGiveUp: options.onGiveUp,
  };
}
