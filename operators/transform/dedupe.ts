import { createHash } from 'node:crypto';
import { asyncScheduler, defer, tap, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { EventHooks } from '../../src/core/event-hooks';
import { ConfigError } from '../../src/core/errors';
import { filterEvents } from '../filter-events';
import type { EventPredicate } from './conditions';
import { compileEventKey } from './event-key';
import { RecencyCache } from './recency-cache';

/** Options of {@link dedupe}. */
export interface DedupeOptions {
  /** Dotted paths whose values together identify an event. */
  readonly fields: readonly string[];
  /** Most keys remembered; the least recently seen is forgotten first. Default 10,000. */
  readonly maxEntries?: number;
  /** Forget a key this long (ms) after it was last seen; default never (only the LRU bound). */
  readonly ttlMs?: number;
  readonly scheduler?: SchedulerLike;
}

/** Keys longer than this are remembered by their SHA-1: the cache's memory stays bounded by `maxEntries`. */
const MAX_KEY_LENGTH = 256;

/**
 * Drops an event whose `fields` equal those of an event seen before (within `ttlMs` of the
 * last sighting, among the `maxEntries` most recently seen keys), acknowledging it and
 * counting it through `hooks.onDiscard`. Each sighting refreshes its key, so a message that
 * keeps repeating stays suppressed until it pauses for `ttlMs`. An event holding none of the
 * fields is always kept. Time comes from the scheduler, read once per batch; the cache is
 * per subscription and released on teardown.
 *
 * ```
 * source:  --a-a-b----a--|    ttl: 5 frames
 * result:  --a---b----a--|    the second a dropped; the last a came after the ttl
 * ```
 *
 * @example
 * import { dedupe } from 'sluice';
 * const once = dedupe({ fields: ['message', 'host'], ttlMs: 60_000 });
 *
 * @see throttle
 */
export function dedupe(options: DedupeOptions, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  if (options.fields.length === 0) throw new ConfigError('fields: needs at least one field', { path: 'fields' });
  const keyOf = compileEventKey(options.fields, 'fields');
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new ConfigError(`max_entries: expected an integer of at least 1, got ${maxEntries}`, { path: 'max_entries' });
  const ttl = options.ttlMs ?? Number.POSITIVE_INFINITY;
  const scheduler = options.scheduler ?? asyncScheduler;

  return (source) =>
    defer(() => {
      const seen = new RecencyCache(maxEntries);
      let now = 0;
      const expire = (): void => {
        now = scheduler.now();
        if (ttl !== Number.POSITIVE_INFINITY) seen.expire(now - ttl);
      };
      const firstSighting: EventPredicate = (event) => {
        let key = keyOf(event);
        if (key === undefined) return true;
        if (key.length > MAX_KEY_LENGTH) key = createHash('sha1').update(key).digest('base64');
        const before = seen.touch(key, now);
        return before === undefined || now - before >= ttl;
      };
      return source.pipe(tap(expire), filterEvents(firstSighting, hooks));
    });
}
