import { compressionCodecs, type CompressionName } from '../../operators/compress';
import { ENCODERS, type EncodingName } from '../../operators/encode';
import type { RequestOptions } from '../../operators/encode-requests';
import type { LogEvent } from '../core/event';
import { DeliveryError, toError, type FailedEvent } from '../core/errors';

/** The validated options of `sinkEncodingOptions`, plus the sink's `batch.max_bytes`. */
export interface EncodingConfig {
  readonly encoding: EncodingName;
  readonly compression: CompressionName;
  readonly compression_level?: number;
  readonly batch: { readonly max_bytes: number };
}

/** A sink's request builder options from its YAML options: encoder, codec, level, byte bound. */
export function requestOptions(config: EncodingConfig): RequestOptions {
  return {
    encoder: ENCODERS[config.encoding],
    codec: compressionCodecs.get(config.compression),
    level: config.compression_level,
    maxBytes: config.batch.max_bytes,
  };
}

/**
 * The file sink's `json_document` encoding: not one of the shared request encodings, since
 * its output is a whole file, not a stream of appended requests.
 */
export const JSON_DOCUMENT = 'json_document';

/** What {@link jsonDocument} made of the events bound for one file. */
export interface EncodedDocument {
  /** The document, or undefined when no event could be encoded. */
  readonly text?: string;
  /** The events that did not make it into the document, each with why (permanent). */
  readonly failures: FailedEvent[];
}

/**
 * One JSON document from the events `indices` of `events` bound for one file: the event
 * itself when there is one, a JSON array of them when several. An event without a JSON
 * form (a BigInt, a cycle) is left out and fails alone; a document over `maxBytes` fails
 * all of its events, so a file is never larger than the sink's `batch.max_bytes`.
 */
export function jsonDocument(events: readonly LogEvent[], indices: readonly number[], maxBytes: number): EncodedDocument {
  const failures: FailedEvent[] = [];
  const parts: string[] = [];
  for (const index of indices) {
    try {
      const text = JSON.stringify(events[index]) as string | undefined;
      if (typeof text !== 'string') throw new TypeError('event has no JSON form');
      parts.push(text);
    } catch (error) {
      failures.push({ index, error: new DeliveryError(`event cannot be encoded as JSON: ${toError(error).message}`, false, { cause: error }), retryable: false });
    }
  }
  if (parts.length === 0) return { failures };
  const text = `${parts.length === 1 ? parts[0] : `[${parts.join(',')}]`}\n`;
  if (Buffer.byteLength(text) <= maxBytes) return { text, failures };
  const error = new DeliveryError(`JSON document of ${Buffer.byteLength(text)} bytes exceeds batch.max_bytes (${maxBytes})`, false);
  return { failures: indices.map((index) => ({ index, error, retryable: false })) };
}
