import type { LogEvent } from '../src/core/event';
import { DeliveryError, toError, type FailedEvent } from '../src/core/errors';

/** The encodings a sink's `encoding:` option accepts. */
export type EncodingName = 'ndjson' | 'json_array' | 'text';

/** Every {@link EncodingName}, in the order the reference lists them. */
export const ENCODING_NAMES: readonly EncodingName[] = ['ndjson', 'json_array', 'text'];

/**
 * How events become a request body: each event on its own (so one event that cannot be
 * encoded fails alone), framed by `prefix`, `separator` and `suffix`. A sink with its own
 * wire format (an Elasticsearch bulk action line before each document) passes its own.
 */
export interface Encoder {
  readonly name: string;
  /** Before the first event of a request (`[` for a JSON array). */
  readonly prefix: string;
  /** Between two events of a request (`,` for a JSON array). */
  readonly separator: string;
  /** After the last event of a request. */
  readonly suffix: string;
  /** The `Content-Type` an HTTP sink sends it as. */
  readonly contentType: string;
  /** One event; may throw (BigInt, a cycle, a stack overflow): only that event fails. */
  encode(event: LogEvent): string;
}

/** `JSON.stringify` that refuses what is not an object's JSON (a `toJSON` returning undefined). */
function toJson(event: LogEvent): string {
  const text = JSON.stringify(event) as string | undefined;
  if (typeof text !== 'string') throw new TypeError('event has no JSON form');
  return text;
}

/** The built-in encoders. Metadata sits under a symbol key, so JSON never ships it. */
export const ENCODERS: Readonly<Record<EncodingName, Encoder>> = {
  ndjson: { name: 'ndjson', prefix: '', separator: '', suffix: '', contentType: 'application/x-ndjson', encode: (event) => toJson(event) + '\n' },
  json_array: { name: 'json_array', prefix: '[', separator: ',', suffix: ']', contentType: 'application/json', encode: toJson },
  // The message only; an event without a string message falls back to its JSON, so nothing
  // is written as an empty line.
  text: {
    name: 'text',
    prefix: '',
    separator: '',
    suffix: '',
    contentType: 'text/plain; charset=utf-8',
    encode: (event) => (typeof event.message === 'string' ? event.message : toJson(event)) + '\n',
  },
};

/** One request body and the events it carries. */
export interface EncodedRequest {
  /** The body as it goes on the wire (compressed once {@link buildRequests} ran). */
  readonly payload: Buffer;
  /** Positions in the batch of the events it carries, ascending: failures map back through them. */
  readonly indices: readonly number[];
  /** Size of the encoded body before compression. */
  readonly encodedBytes: number;
}

/** What encoding a batch produced: the requests, and the events that cannot be sent at all. */
export interface EncodedBatch {
  readonly requests: EncodedRequest[];
  /** Permanent: events that could not be encoded, or that alone exceed `maxBytes`. */
  readonly failures: FailedEvent[];
}

/** Options of {@link encodeRequests}. */
export interface EncodeOptions {
  readonly encoder: Encoder;
  /** Most bytes one request body may have, counted on the encoded bytes (framing included). */
  readonly maxBytes: number;
}

const permanent = (index: number, message: string, cause?: unknown): FailedEvent => ({ index, error: new DeliveryError(message, false, { cause }), retryable: false });

/**
 * Encodes events one by one and cuts them into request bodies of at most `maxBytes`
 * encoded bytes. `select` (positions in `events`) restricts it to some events, as a sink
 * that groups by destination does; indices in the result are always positions in `events`.
 * The common case, a batch that fits, costs one `JSON.stringify` per event, one join and
 * one `Buffer.from`: exact per-event byte lengths are only measured when a split is needed,
 * and not even then for pure ASCII (bytes = characters).
 *
 * @example
 * import { ENCODERS, encodeRequests } from 'sluice';
 * const { requests, failures } = encodeRequests(batch.events, { encoder: ENCODERS.ndjson, maxBytes: 1 << 20 });
 *
 * @see buildRequests
 */
export function encodeRequests(events: readonly LogEvent[], options: EncodeOptions, select?: readonly number[]): EncodedBatch {
  const { encoder, maxBytes } = options;
  const failures: FailedEvent[] = [];
  const texts: string[] = [];
  const positions: number[] = [];
  const count = select ? select.length : events.length;
  for (let k = 0; k < count; k++) {
    const index = select ? select[k] : k;
    try {
      texts.push(encoder.encode(events[index]));
      positions.push(index);
    } catch (thrown) {
      failures.push(permanent(index, `event cannot be encoded as ${encoder.name}: ${toError(thrown).message}`, thrown));
    }
  }
  if (texts.length === 0) return { requests: [], failures };
  const joined = texts.join(encoder.separator);
  const body = Buffer.from(joined, 'utf8');
  const framing = Buffer.byteLength(encoder.prefix) + Buffer.byteLength(encoder.suffix);
  if (body.length + framing <= maxBytes) return { requests: [frame(encoder, body, positions)], failures };
  return split(texts, positions, body, body.length === joined.length, options, failures);
}

/** The rare path: measure each event and cut greedily; an event too big alone fails. */
function split(texts: string[], positions: number[], body: Buffer, ascii: boolean, options: EncodeOptions, failures: FailedEvent[]): EncodedBatch {
  const { encoder, maxBytes } = options;
  const framing = Buffer.byteLength(encoder.prefix) + Buffer.byteLength(encoder.suffix);
  const gap = Buffer.byteLength(encoder.separator);
  const requests: EncodedRequest[] = [];
  let start = -1; // first event of the open request, -1 when none is open
  let startOffset = 0;
  let size = 0;
  let offset = 0; // where event k starts in `body`
  const close = (end: number, endOffset: number): void => {
    if (start >= 0) requests.push(frame(encoder, body.subarray(startOffset, endOffset), positions.slice(start, end)));
    start = -1;
  };
  for (let k = 0; k < texts.length; k++) {
    const bytes = ascii ? texts[k].length : Buffer.byteLength(texts[k]);
    if (start >= 0 && size + gap + bytes > maxBytes) close(k, offset - gap);
    if (framing + bytes > maxBytes) {
      failures.push(permanent(positions[k], `event is ${bytes + framing} bytes encoded as ${encoder.name}, more than batch.max_bytes (${maxBytes})`));
    } else if (start < 0) {
      start = k;
      startOffset = offset;
      size = framing + bytes;
    } else {
      size += gap + bytes;
    }
    offset += bytes + gap;
  }
  close(texts.length, body.length);
  failures.sort((a, b) => a.index - b.index);
  return { requests, failures };
}

/** Adds the encoder's prefix and suffix around a run of joined events. */
function frame(encoder: Encoder, body: Buffer, indices: readonly number[]): EncodedRequest {
  const payload = encoder.prefix === '' && encoder.suffix === '' ? body : Buffer.concat([Buffer.from(encoder.prefix), body, Buffer.from(encoder.suffix)]);
  return { payload, indices, encodedBytes: payload.length };
}
