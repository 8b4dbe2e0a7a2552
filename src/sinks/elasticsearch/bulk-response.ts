import { DeliveryError } from '../../core/errors';
import type { EventFailure } from '../../core/sink';
import type { BulkAction } from './bulk-encoder';

/** Elasticsearch's error object, as a bulk item or a whole response carries it. */
export interface ElasticsearchErrorCause {
  readonly type?: string;
  readonly reason?: string | null;
  readonly caused_by?: ElasticsearchErrorCause;
}

/** One item of a bulk response: `{ "index": { "status": 201 } }`, `{ "create": { "status": 429, "error": {...} } }`. */
export type BulkResponseItem = Readonly<Record<string, { readonly status?: number; readonly error?: ElasticsearchErrorCause } | undefined>>;

/** The parts of a bulk response the sink reads (it asks for no more with `filter_path`). */
export interface BulkResponseBody {
  readonly errors?: boolean;
  readonly items?: readonly BulkResponseItem[];
}

/** What the items of one bulk request came to. */
export interface BulkOutcome {
  /** Failed events, as positions in the sent batch. */
  readonly failures: EventFailure[];
  /** Positions of the events Elasticsearch holds now (indexed, or already there). */
  readonly delivered: number[];
  /** `create` items answered 409: the document was already there (a resend), counted delivered. */
  readonly alreadyIndexed: number;
  /** Failed items by Elasticsearch's error type (`es_rejected_execution_exception`, `document_parsing_exception`). */
  readonly rejections: Map<string, number>;
}

/** `type: reason (caused by: type: reason)`: Elasticsearch's own words, as the DLQ records them. */
export function describeCause(cause: ElasticsearchErrorCause | undefined, depth = 0): string {
  if (!cause) return 'no error detail';
  const own = [cause.type, cause.reason].filter((part) => typeof part === 'string' && part !== '').join(': ') || 'unknown error';
  return cause.caused_by && depth < 3 ? `${own} (caused by: ${describeCause(cause.caused_by, depth + 1)})` : own;
}

/** Whether an item status may succeed on another try: too many requests, or a server-side failure. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500 || status === 408;
}

/**
 * Reads a bulk response item by item. `positions[k]` is the batch position of the k-th
 * document sent. 2xx items are delivered; 429 and 5xx items (a full write queue, a shard
 * that is relocating) are retryable, so the retry stage resends exactly those; any other
 * 4xx (a mapping conflict, a document that does not parse, an invalid index name) is
 * permanent, with Elasticsearch's error text, and goes to the dead-letter queue. A 409 on
 * `create` means the id is already taken: with deterministic ids that is this very
 * document from an earlier attempt, so it counts as delivered, never as a duplicate.
 * A response whose items do not match the request one to one fails every document,
 * retryably (ids make the resend safe).
 */
export function classifyBulkItems(body: BulkResponseBody, positions: readonly number[], action: BulkAction): BulkOutcome {
  const failures: EventFailure[] = [];
  const delivered: number[] = [];
  const rejections = new Map<string, number>();
  let alreadyIndexed = 0;
  const items = body.items ?? [];
  if (items.length !== positions.length) {
    const error = new DeliveryError(`bulk response has ${items.length} item(s) for ${positions.length} document(s)`, true);
    rejections.set('malformed_response', positions.length);
    return { failures: positions.map((index) => ({ index, error, retryable: true })), delivered, alreadyIndexed, rejections };
  }
  if (body.errors === false) return { failures, delivered: positions.slice(), alreadyIndexed, rejections };
  for (let k = 0; k < items.length; k++) {
    const index = positions[k];
    const result = items[k][action] ?? Object.values(items[k])[0];
    const status = result?.status ?? 0;
    if (status >= 200 && status < 300 && !result?.error) {
      delivered.push(index);
      continue;
    }
    const type = result?.error?.type ?? `http_${status}`;
    if (status === 409 && action === 'create' && type === 'version_conflict_engine_exception') {
      alreadyIndexed++;
      delivered.push(index);
      continue;
    }
    rejections.set(type, (rejections.get(type) ?? 0) + 1);
    const retryable = status === 0 || isRetryableStatus(status); // no status: cannot tell, and ids make a resend safe
    const error = new DeliveryError(`Elasticsearch ${retryable ? 'rejected' : 'refused'} the document (${status}): ${describeCause(result?.error)}`, retryable);
    failures.push({ index, error, retryable });
  }
  return { failures, delivered, alreadyIndexed, rejections };
}
