import type { AckListener } from '../../core/ack';

/**
 * Commits a source's positions as its acks settle: per key (a file's identity
 * `dev:ino:fingerprint`, a Kafka `topic/partition`), only the contiguous acknowledged prefix
 * of the ranges emitted for it, so a rejected or still-pending range holds that key's mark
 * and everything after it is read again after a restart (at least once).
 *
 * Ranges of one key are tracked in the order they are emitted (increasing, not overlapping);
 * the first range tracked for a key unknown so far sets where that key starts.
 *
 * @see KeyedCheckpoint
 */
export interface Committer {
  /** Tracks `[start, end)` of `key` as emitted; hand the returned listener to the batch's ack. */
  track(key: string, start: number, end: number): AckListener;
  /** Everything of `key` before this position was acknowledged (undefined: key unknown). */
  committed(key: string): number | undefined;
  /** Drops `key` (a file deleted, a partition revoked); settles of its ranges still out are ignored. To restart a key lower (a truncated file), forget it, then track from there. */
  forget(key: string): void;
  /** The keys known (loaded or tracked, not forgotten). */
  keys(): string[];
  /** Saves the committed positions now; never rejects (failures are logged and retried at the next save). */
  flush(): Promise<void>;
}
