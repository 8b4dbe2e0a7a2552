import { from, lastValueFrom, reduce } from 'rxjs';
import { aggregate } from '../../../operators/aggregate/aggregate';
import { createBatch, estimateBytes, type Batch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { scaled, timed, type Scenario } from '../scenario';

const KEYS = 10_000;
const WINDOWS = 10;
const WINDOW_MS = 60_000;
const BATCH = 1000;
const events = scaled(2_000_000);
let batches: Batch[] = [];
let bytes = 0;
/** RSS once the events are built: the fixture's share of the peak, so the stage's own share can be read off. */
let fixtureRssMiB = 0;

/**
 * Access-log-like events, in time order over ten one-minute windows, spread over 10,000 keys:
 * `user` keys the groups, `duration_ms` gets count/sum/min/max/mean/p50/p95/p99 (a DDSketch
 * per group) and `path` a top-10 list. Timestamps are ISO strings, parsed per event as in a
 * real pipeline. The operator alone: no source or sink, so the figure is the stage's cost.
 */
export const scenario: Scenario = {
  name: 'aggregate',
  description: `aggregate operator: ${events} events over 10 one-minute windows × 10,000 keys, all stats + top-10 path, 1000-event batches`,
  bytesBasis: 'estimated NDJSON bytes of the events',
  async setup() {
    const start = Date.UTC(2026, 11, 3);
    const all: LogEvent[] = [];
    for (let i = 0; i < events; i++) {
      const at = start + Math.floor((i / events) * WINDOWS * WINDOW_MS);
      all.push({ timestamp: new Date(at).toISOString(), user: `u${(i * 7919) % KEYS}`, path: `/p${i % 37}`, duration_ms: (i * 31) % 2000 });
    }
    bytes = estimateBytes(all);
    batches = [];
    for (let at = 0; at < all.length; at += BATCH) batches.push(createBatch(all.slice(at, at + BATCH)));
    fixtureRssMiB = Math.round(process.memoryUsage().rss / 1024 / 1024);
  },
  async run() {
    const operator = aggregate({
      windowMs: WINDOW_MS,
      groupBy: ['user'],
      stats: [{ field: 'duration_ms' }],
      top: [{ field: 'path', limit: 10 }],
      maxGroups: 2 * KEYS,
    });
    const { value: summaries, durationMs, cpuMs } = await timed(() => lastValueFrom(from(batches).pipe(operator, reduce((count, batch) => count + batch.events.length, 0))));
    const expected = Math.min(events, KEYS) * WINDOWS;
    if (events >= KEYS * WINDOWS && summaries !== expected) throw new Error(`aggregate: expected ${expected} summaries, got ${summaries}`);
    return { events, bytes, durationMs, cpuMs, extra: { summaries, fixture_rss_mib: fixtureRssMiB } };
  },
};
