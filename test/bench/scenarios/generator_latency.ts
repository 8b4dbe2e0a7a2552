import { DELIVERED, pipeline, type Batch, type SendResult, type Sink } from '../../../src/index';
import { componentCount, runPipeline } from '../sluice';
import { expectEvents, scaled, type Scenario } from '../scenario';

const RATE = 100_000;
const COUNT = 1_000_000;
const BATCH_SIZE = 1000;

let count = 0;

/** Event ages in whole milliseconds (the timestamps' resolution), as counts per millisecond. */
class AgeHistogram {
  private readonly counts: number[] = [];
  total = 0;

  add(ageMs: number, events: number): void {
    const bucket = Math.max(0, ageMs);
    this.counts[bucket] = (this.counts[bucket] ?? 0) + events;
    this.total += events;
  }

  /** The smallest age at least `q` of the events were delivered within. */
  percentile(q: number): number {
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let age = 0; age < this.counts.length; age++) {
      seen += this.counts[age] ?? 0;
      if (seen >= rank && seen > 0) return age;
    }
    return Number.NaN;
  }
}

/**
 * A blackhole that records every event's age on arrival: now − its creation timestamp. The
 * generator gives each of its batches one timestamp, and a sink batch may hold the tail of
 * one and the head of the next, so ages are taken per run of equal timestamps.
 */
function latencySink(ages: AgeHistogram): Sink {
  return {
    send(batch: Batch): Promise<SendResult> {
      const now = Date.now();
      const { events } = batch;
      let runStart = 0;
      for (let i = 1; i <= events.length; i++) {
        if (i < events.length && events[i].timestamp === events[runStart].timestamp) continue;
        const timestamp = events[runStart].timestamp;
        if (timestamp !== undefined) ages.add(now - Date.parse(timestamp), i - runStart);
        runStart = i;
      }
      return Promise.resolve(DELIVERED);
    },
    close: () => Promise.resolve(),
  };
}

/**
 * End-to-end latency under a steady load below capacity: the generator at a fixed rate
 * (its events carry their creation time), through the real Pipeline (sink batching with
 * `max_events` 1000, timeout 100 ms) into a custom TypeScript sink that records
 * how old every event is when it is sent. Timestamps have millisecond resolution, so ages
 * are whole milliseconds (±1). Size-based sink batching shows here: a partial generator
 * batch waits in the sink's batch for the next tick to fill it.
 */
export const scenario: Scenario = {
  name: 'generator_latency',
  description: `built-in generator at ${RATE.toLocaleString('en-US')} ev/s (batch_size ${BATCH_SIZE}) → latency-sampling custom sink; p50/p99 of every event's age at send`,
  bytesBasis: 'nothing useful (rate-limited): MiB/s is the generator\'s NDJSON size estimate',
  rankBy: 'latency',
  async setup() {
    count = scaled(COUNT);
  },
  async run() {
    const ages = new AgeHistogram();
    const { durationMs, cpuMs, metrics } = await runPipeline(
      pipeline({
        sources: { gen: { type: 'generator', count, rate: RATE, batch_size: BATCH_SIZE, format: 'text' } },
        sinks: { out: { sink: latencySink(ages), inputs: ['gen'], batch: { max_events: BATCH_SIZE, timeout: 100 } } },
      }),
    );
    const delivered = await componentCount(metrics.sentEvents, 'out');
    expectEvents('generator_latency', delivered, count);
    const bytes = await componentCount(metrics.sentBytes, 'out');
    const latencyMs = { p50: ages.percentile(0.5), p99: ages.percentile(0.99), samples: ages.total };
    return { events: delivered, bytes, durationMs, cpuMs, latencyMs };
  },
};
