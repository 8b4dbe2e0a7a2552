import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Batch } from '../core/batch';
import { DeliveryError } from '../core/errors';
import { DELIVERED, type EventFailure, type SendOptions, type SendResult, type Sink } from '../core/sink';
import { boolean, integer, oneOf, string } from '../config/schema';
import { checkEncodingOptions, defineSink, sinkEncodingOptions } from '../components/define';
import { noCompression, type CompressionCodec } from '../../operators/compress';
import { ENCODERS, type EncodingName } from '../../operators/encode';
import { buildRequests, type RequestOptions } from '../../operators/encode-requests';
import { FileHandlePool } from './file-handles';
import { JSON_DOCUMENT, jsonDocument, requestOptions } from './encoding';
import { writeFileAtomically } from '../core/durable-fs';
import { PathRenderer } from './strftime';
import { withWorkerIndex } from './worker-path';
import { shardOf } from '../core/shard';

/** Options of {@link createFileSink}. */
export interface FileSinkOptions {
  /** Path template (`%Y %m %d %H %M %S %%`, UTC, from each event's timestamp); relative to the working directory. */
  readonly path: string;
  readonly fsync: boolean;
  /** `json_document`: each file is one JSON document, replaced on every write (see {@link createFileSink}). */
  readonly encoding: EncodingName | typeof JSON_DOCUMENT;
  readonly maxOpenFiles: number;
  /** Most encoded bytes per write (the sink's `batch.max_bytes`); a larger event fails alone. Default 4 MiB. */
  readonly maxBytes?: number;
  /** Each write is one compressed member (gzip members concatenate into one valid file). Default none. */
  readonly codec?: CompressionCodec;
  readonly level?: number;
  /** The clock for events without a usable timestamp. */
  readonly scheduler?: SchedulerLike;
}

export const fileSink = defineSink({
  type: 'file',
  summary: 'Appends events as lines to local files named from their timestamps (hourly NDJSON by default).',
  options: {
    path: string({
      description:
        'File path template; `%Y %m %d %H %M %S` come from the event timestamp in UTC (the current time when it has none), `%w` is the worker index (`workers`; 0 without), `%%` is a literal %. With `compression: gzip` end it in `.gz`: each write appends one gzip member and `zcat` reads them as one stream.',
      default: 'data/logs/%Y-%m-%d/%H.ndjson',
      example: '/var/log/sluice/%Y-%m-%d/%H.ndjson',
    }),
    fsync: boolean({ description: 'fsync each file after every send, before acknowledging: acknowledged lines survive a power loss.', default: true, example: false }),
    ...sinkEncodingOptions({ encoding: 'ndjson', encodings: ['ndjson', 'text'] }),
    encoding: oneOf(['ndjson', 'text', JSON_DOCUMENT] as const, {
      description:
        '`ndjson`: one JSON object per line, appended; `text`: the `message` only, one per line (events without a string message as JSON); `json_document`: each file is one JSON document (the event, or a JSON array when one send holds several for the file), written whole and atomically, replacing the file: meant for one event per path, such as a windowed summary, and a re-delivery rewrites rather than duplicates.',
      default: 'ndjson',
      example: JSON_DOCUMENT,
    }),
    max_open_files: integer({ description: 'Most files kept open at once; the least recently used are closed first.', default: 64, example: 16, min: 1, max: 65_536 }),
  },
  batchDefaults: { maxEvents: 10_000, maxBytes: 4 * 1024 * 1024, timeoutMs: 1000 },
  example: { path: 'data/logs/%Y-%m-%d/%H.ndjson' },
  check(config) {
    const issues = checkEncodingOptions(config);
    if (config.encoding === JSON_DOCUMENT && config.compression !== 'none') {
      issues.push({ path: ['compression'], message: `json_document writes plain JSON files; compression must be none, got ${config.compression}` });
    }
    return issues;
  },
  create(config, ctx) {
    // A JSON document is written uncompressed (check above); only the shared byte bound applies to it.
    const { codec, level, maxBytes } = requestOptions({ ...config, encoding: config.encoding === JSON_DOCUMENT ? 'ndjson' : config.encoding });
    return createFileSink({ path: withWorkerIndex(config.path, shardOf(ctx).index), fsync: config.fsync, encoding: config.encoding, maxOpenFiles: config.max_open_files, maxBytes, codec, level, scheduler: ctx.scheduler });
  },
});

/** Errors that may pass: a full disk gets space, a busy resource frees up. */
const RETRYABLE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EAGAIN', 'EWOULDBLOCK', 'EMFILE', 'ENFILE', 'EBUSY', 'EINTR', 'EIO']);

/** Read without `instanceof`: errors from fs may come from another realm (jest, vm). */
function deliveryError(path: string, thrown: unknown): DeliveryError {
  const { code, message } = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(thrown);
  return new DeliveryError(`writing ${path} failed: ${text}`, typeof code === 'string' && RETRYABLE_CODES.has(code), { cause: thrown });
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) offset += (await handle.write(data, offset, data.length - offset)).bytesWritten;
}

/**
 * A sink that reads as a pipeline: group the batch by rendered path → encode, split by
 * `maxBytes` and compress each group (the shared request builder) → append each request
 * to its file → fsync → acknowledge. Files stay open (LRU-bounded) and are created with
 * their directories. An event that cannot be encoded fails alone, permanently. If only some
 * files fail, only their events are reported failed; if every write fails, the send throws
 * a {@link DeliveryError} that says whether a retry may help (ENOSPC may, EACCES will not).
 *
 * Compressed files get one member per request. A torn last line is ended with a newline on
 * open only for uncompressed files; a process killed mid-write leaves a torn gzip member
 * that ends what `zcat` reads of that file, so a compressed path should roll (`%H`).
 */
export function createFileSink(options: FileSinkOptions): Sink {
  const { fsync } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const renderer = new PathRenderer(options.path);
  const codec = options.codec ?? noCompression;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const documents = options.encoding === JSON_DOCUMENT;
  const request: RequestOptions = { encoder: ENCODERS[documents ? 'ndjson' : (options.encoding as EncodingName)], maxBytes, codec, level: options.level };
  const pool = new FileHandlePool(options.maxOpenFiles, fsync, codec === noCompression);

  /** Writes one path's events as its whole content (json_document): temp file, fsync, rename. */
  const replaceGroup = async (batch: Batch, path: string, indices: number[], signal: AbortSignal | undefined): Promise<{ failures: EventFailure[]; error?: DeliveryError }> => {
    const { text, failures } = jsonDocument(batch.events, indices, maxBytes);
    if (text === undefined) return { failures };
    try {
      signal?.throwIfAborted();
      await writeFileAtomically(path, text);
      return { failures };
    } catch (thrown) {
      const error = deliveryError(path, thrown);
      const written = new Set(failures.map((failure) => failure.index));
      for (const index of indices) if (!written.has(index)) failures.push({ index, error, retryable: error.retryable });
      return { failures, error };
    }
  };

  /** Encodes and appends one path's events: their failures, and the write error if the write failed. */
  const writeGroup = async (batch: Batch, path: string, indices: number[], signal: AbortSignal | undefined): Promise<{ failures: EventFailure[]; error?: DeliveryError }> => {
    if (documents) return replaceGroup(batch, path, indices, signal);
    const { requests, failures } = await buildRequests(batch.events, request, indices);
    if (requests.length === 0) return { failures };
    try {
      await pool.use(path, async (handle) => {
        for (const { payload } of requests) {
          signal?.throwIfAborted(); // past the deadline: deliver already counted it failed
          await writeAll(handle, payload);
        }
        if (fsync) await handle.sync();
      });
      return { failures };
    } catch (thrown) {
      // With fsync nothing of the group is acknowledged; without, a retry may duplicate lines.
      const error = deliveryError(path, thrown);
      for (const { indices: sent } of requests) for (const index of sent) failures.push({ index, error, retryable: error.retryable });
      return { failures, error };
    }
  };

  return {
    async send(batch: Batch, options?: SendOptions): Promise<SendResult> {
      const events = batch.events;
      if (events.length === 0) return DELIVERED;
      let now: string | undefined;
      const fallback = (): string => (now ??= new Date(scheduler.now()).toISOString());
      const groups = new Map<string, number[]>();
      for (let i = 0; i < events.length; i++) {
        const path = renderer.pathFor(events[i].timestamp, fallback);
        const group = groups.get(path);
        if (group) group.push(i);
        else groups.set(path, [i]);
      }
      const outcomes = await Promise.all([...groups].map(([path, indices]) => writeGroup(batch, resolve(path), indices, options?.signal)));
      const failures = outcomes.length === 1 ? outcomes[0].failures : outcomes.flatMap((outcome) => outcome.failures);
      if (failures.length === 0) return DELIVERED;
      // Every event failed on one write error: the whole batch failed, as an outage reads.
      const first = outcomes[0].error;
      if (first && failures.length === events.length && failures.every((failure) => failure.error === first)) throw first;
      failures.sort((a, b) => a.index - b.index);
      return { failures };
    },
    flush: () => pool.syncAll(),
    close: () => pool.closeAll(),
  };
}
