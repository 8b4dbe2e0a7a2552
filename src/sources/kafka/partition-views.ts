import type { BatchMeta } from '../../core/batch';
import type { ComponentMetrics } from '../../observability/metrics';

/**
 * What a consumer keeps per partition it reads: the frozen batch meta its batches share,
 * and its series of `sluice_kafka_consumer_lag`, dropped when the partition moves away so
 * the exposition never shows a stale lag.
 */
export class PartitionViews {
  private readonly metas = new Map<string, BatchMeta>();
  private readonly lag;

  constructor(
    private readonly sourceId: string,
    metrics: ComponentMetrics,
  ) {
    this.lag = metrics.labelledGauge('sluice_kafka_consumer_lag', 'Messages in a partition after the last one fetched (high watermark minus next offset), per assigned partition.', ['topic', 'partition']);
  }

  /** The batch meta of one partition, made once and shared by its batches. */
  meta(topic: string, partition: number): BatchMeta {
    const key = `${topic}/${partition}`;
    let meta = this.metas.get(key);
    if (meta === undefined) {
      meta = Object.freeze({ source: this.sourceId, input: 'kafka', topic, partition });
      this.metas.set(key, meta);
    }
    return meta;
  }

  setLag(topic: string, partition: number, lag: number): void {
    this.meta(topic, partition);
    this.lag.set({ topic, partition: String(partition) }, Math.max(0, lag));
  }

  /** Forgets every partition not in `owned` (`topic/partition`). */
  keepOnly(owned: ReadonlySet<string>): void {
    for (const [key, meta] of this.metas) {
      if (owned.has(key)) continue;
      this.lag.remove({ topic: String(meta.topic), partition: String(meta.partition) });
      this.metas.delete(key);
    }
  }
}
