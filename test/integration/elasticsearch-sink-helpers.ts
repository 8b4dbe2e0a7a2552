import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { Observable } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import type { SourceContext } from '../../src/components/context';
import type { DeadLetterEntry } from '../../src/dlq/entry';
import type { PipelineMetrics } from '../../src/observability/metrics';

/** What a {@link listSource} saw of its batches' acks. */
export interface AckTally {
  acked: number;
  rejected: number;
}

/**
 * A TypeScript source that emits `events` in batches of `batchSize` as credit allows, then
 * completes; `tally` counts the events whose acks resolved (acknowledged to the "producer")
 * and those rejected.
 */
export function listSource(events: readonly LogEvent[], batchSize: number, tally: AckTally): (ctx: SourceContext) => Observable<Batch> {
  return (ctx) =>
    new Observable<Batch>((subscriber) => {
      let next = 0;
      let stopped = false;
      const emit = (): void => {
        while (!stopped && next < events.length && !ctx.credit.exhausted) {
          const part = events.slice(next, next + batchSize);
          next += part.length;
          const bytes = part.length * 200;
          const ack = ctx.track(part.length, bytes, (outcome) => {
            if (outcome.ok) tally.acked += part.length;
            else tally.rejected += part.length;
          });
          subscriber.next({ events: part, ack, bytes });
        }
        if (stopped) return;
        if (next >= events.length) subscriber.complete();
        else ctx.credit.whenAvailable(wake);
      };
      // Credit returns inside an ack's settlement: read on, as real sources do, on a later turn.
      const wake = (): void => void setImmediate(emit);
      emit();
      return () => {
        stopped = true;
        ctx.credit.cancelWait(wake);
      };
    });
}

/** Every entry of a dead-letter queue directory. */
export function deadLetters(dir: string): DeadLetterEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith('segment-') && name.endsWith('.ndjson'))
    .flatMap((name) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{"time"'))
        .map((line) => JSON.parse(line) as DeadLetterEntry),
    );
}

/** Documents in `index` (a name or pattern), after a refresh so everything indexed is counted. */
export async function countDocuments(client: Client, index: string): Promise<number> {
  await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  return (await client.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
}

/** How many distinct values `field` has in `index` (a cardinality-free exact check via terms). */
export async function distinctValues(client: Client, index: string, field: string, size: number): Promise<number> {
  await client.indices.refresh({ index });
  const result = await client.search({ index, size: 0, aggs: { values: { terms: { field, size } } } });
  const buckets = (result.aggregations?.values as { buckets: Array<{ doc_count: number }> }).buckets;
  return buckets.length;
}

/** One component's value of a counter family in a pipeline's registry, summed over series matching `labels`. */
export async function metric(metrics: PipelineMetrics, name: string, componentId: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const family = metrics.registry.getSingleMetric(name);
  if (family === undefined) return 0;
  const { values } = await family.get();
  return values
    .filter((value) => value.labels.component_id === componentId && Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))
    .reduce((sum, value) => sum + value.value, 0);
}
