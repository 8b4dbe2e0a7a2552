import type { SchedulerLike } from 'rxjs';

/** Options of {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Sustained events per second each key may send. */
  readonly eventsPerSecond: number;
  /** Events a key may send at once after being idle (the bucket's size). */
  readonly burst: number;
  /** Most keys tracked at once; the least recently used is forgotten past it. Default 10,000. */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

const DEFAULT_MAX_KEYS = 10_000;

/**
 * A token bucket per key (an API key's id, or a peer address when auth is off): each key
 * refills at `eventsPerSecond` up to `burst`. Time comes from the scheduler, so tests run it
 * virtually. The map of buckets is bounded: past `maxKeys` the least recently used key is
 * forgotten. A forgotten key comes back with a full bucket, which is what an idle key would
 * have anyway; only a flood of distinct keys (which auth prevents) could use that to burst.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly scheduler: SchedulerLike,
  ) {
    if (!(options.eventsPerSecond > 0) || !(options.burst >= 1)) throw new RangeError('rate limit: events_per_second must be > 0 and burst >= 1');
    this.maxKeys = Math.max(1, options.maxKeys ?? DEFAULT_MAX_KEYS);
  }

  /** Keys currently tracked. */
  get trackedKeys(): number {
    return this.buckets.size;
  }

  /**
   * Takes `events` tokens from `key`'s bucket: 0 when allowed (and taken), otherwise the ms
   * until that many would be there (nothing taken). A request larger than `burst` could
   * never fit; it is allowed when the bucket is full and leaves it in debt, so such requests
   * still average out at `eventsPerSecond`.
   */
  take(key: string, events: number): number {
    const now = this.scheduler.now();
    const { eventsPerSecond, burst } = this.options;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, updatedMs: now };
      if (this.buckets.size >= this.maxKeys) this.evictOldest();
    } else {
      // Re-inserting moves the key to the end of the Map's order: the Map is the LRU list.
      this.buckets.delete(key);
      const elapsedMs = Math.max(0, now - bucket.updatedMs);
      bucket.tokens = Math.min(burst, bucket.tokens + (elapsedMs * eventsPerSecond) / 1000);
      bucket.updatedMs = now;
    }
    this.buckets.set(key, bucket);
    const needed = Math.min(events, burst);
    if (bucket.tokens >= needed) {
      bucket.tokens -= events;
      return 0;
    }
    return Math.max(1, Math.ceil(((needed - bucket.tokens) * 1000) / eventsPerSecond));
  }

  private evictOldest(): void {
    const oldest = this.buckets.keys().next();
    if (oldest.done !== true) this.buckets.delete(oldest.value);
  }
}
