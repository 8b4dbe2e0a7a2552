import type { ComponentMetrics } from '../../observability/metrics';

/** Distinct `index` label values kept before the rest are counted as `_other`. */
export const MAX_INDEX_LABELS = 1000;

/**
 * The sink's own series beside the component contract: documents Elasticsearch accepted,
 * per index, and documents it refused, per reason (its error type, or the HTTP status of a
 * whole request). Index names come from event fields and dates, so their label values are
 * bounded: past {@link MAX_INDEX_LABELS} distinct names, the rest count under `_other`.
 */
export class ElasticsearchMetrics {
  private readonly documents: (index: string) => { inc(value: number): void };
  private readonly rejected: (reason: string) => { inc(value: number): void };
  private readonly seenIndices = new Set<string>();

  constructor(metrics: ComponentMetrics) {
    this.documents = metrics.labelledCounter('sluice_elasticsearch_documents_total', 'Documents Elasticsearch accepted, per index.', 'index');
    this.rejected = metrics.labelledCounter('sluice_elasticsearch_rejected_documents_total', 'Documents Elasticsearch refused or could not take, per reason (its error type, or http_<status>/connection for a whole request).', 'reason');
  }

  /** Counts accepted documents by index. */
  indexed(counts: ReadonlyMap<string, number>): void {
    for (const [index, count] of counts) {
      let label = index;
      if (!this.seenIndices.has(index)) {
        if (this.seenIndices.size >= MAX_INDEX_LABELS) label = '_other';
        else this.seenIndices.add(index);
      }
      this.documents(label).inc(count);
    }
  }

  /** Counts refused documents by reason. */
  rejections(counts: ReadonlyMap<string, number>): void {
    for (const [reason, count] of counts) this.rejected(reason).inc(count);
  }

  /**
   * `create` items answered 409 (a resend of a document that is already there): delivered,
   * not stored twice, counted under the reason `already_indexed`.
   */
  alreadyIndexed(count: number): void {
    if (count > 0) this.rejected('already_indexed').inc(count);
  }
}
