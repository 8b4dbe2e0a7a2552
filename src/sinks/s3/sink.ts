import { HeadBucketCommand, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Batch } from '../../core/batch';
import { DeliveryError } from '../../core/errors';
import { DELIVERED, type EventFailure, type SendOptions, type SendResult, type Sink, type StartOptions } from '../../core/sink';
import { noCompression } from '../../../operators/compress';
import { buildRequests, type RequestOptions } from '../../../operators/encode-requests';
import { classifyS3Error, headBucketError } from './errors';
import { KeyPrefixRenderer, MAX_KEY_BYTES, ObjectNamer } from './keys';

/** The object settings every upload carries (storage class, encryption, ACL). */
export type ObjectSettings = Pick<PutObjectCommandInput, 'StorageClass' | 'ServerSideEncryption' | 'SSEKMSKeyId' | 'ACL'>;

/** Counters the sink adds to its component's metrics. */
export interface S3SinkCounters {
  /** Objects uploaded (a PUT or a completed multipart upload). */
  readonly objects: { inc(value?: number): void };
  /** Bytes of the objects uploaded, as stored (compressed). */
  readonly bytes: { inc(value?: number): void };
  /** Objects uploaded in parts. */
  readonly multipart: { inc(value?: number): void };
}

/** Options of {@link createS3Sink}. */
export interface S3SinkOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix template: strftime parts and `{{ field }}` parts. */
  readonly keyPrefix: string;
  /** What a missing `{{ field }}` renders as. */
  readonly missingFieldValue: string;
  /** Encoder, codec, level, and the most bytes per object (`batch.max_bytes`). */
  readonly request: RequestOptions;
  readonly object?: ObjectSettings;
  /** Objects above this many bytes go up in parts of `partSize`, `queueSize` parts at a time. */
  readonly multipart: { readonly threshold: number; readonly partSize: number; readonly queueSize: number };
  /** The clock for object names and events without a timestamp. */
  readonly scheduler?: SchedulerLike;
  readonly counters?: S3SinkCounters;
  /** Names the objects; a fresh {@link ObjectNamer} for this process by default. */
  readonly namer?: ObjectNamer;
}

/** Groups of one batch uploaded at once: enough to overlap round trips, few enough to bound memory. */
const GROUP_CONCURRENCY = 4;

/** The file extension of an encoding. */
const EXTENSIONS: Readonly<Record<string, string>> = { ndjson: '.ndjson', json_array: '.json', text: '.log' };

/**
 * The S3 sink, as a pipeline: group the batch by rendered key prefix → encode and compress
 * each group into objects of at most `batch.max_bytes` (the shared request builder) →
 * upload each object under a key that never repeats (PutObject, or a multipart upload above
 * the threshold) → acknowledge. An event is reported delivered only once the PutObject or
 * CompleteMultipartUpload that carries it succeeded; a failed multipart upload is aborted
 * (lib-storage's `leavePartsOnError: false`), and its events fail with S3's classified
 * error, so the retry stage resends exactly them, as a new object.
 */
export function createS3Sink(options: S3SinkOptions): Sink {
  const { client, bucket, request, multipart, counters } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const prefixes = new KeyPrefixRenderer(options.keyPrefix, options.missingFieldValue);
  const codec = request.codec ?? noCompression;
  const namer = options.namer ?? new ObjectNamer((EXTENSIONS[request.encoder.name] ?? '') + codec.extension);
  const headers: Partial<PutObjectCommandInput> = {
    ContentType: request.encoder.contentType,
    ...(codec.contentEncoding === undefined ? {} : { ContentEncoding: codec.contentEncoding }),
    ...options.object,
  };

  /** Uploads one object; resolves once S3 has it, throws a classified DeliveryError otherwise. */
  const upload = async (key: string, body: Buffer, signal: AbortSignal | undefined): Promise<void> => {
    const params: PutObjectCommandInput = { ...headers, Bucket: bucket, Key: key, Body: body, ContentLength: body.length };
    try {
      if (body.length <= multipart.threshold) {
        await client.send(new PutObjectCommand(params), { abortSignal: signal });
      } else {
        const controller = new AbortController();
        const abort = (): void => controller.abort();
        signal?.addEventListener('abort', abort, { once: true });
        try {
          await new Upload({ client, params, partSize: multipart.partSize, queueSize: multipart.queueSize, leavePartsOnError: false, abortController: controller }).done();
        } finally {
          signal?.removeEventListener('abort', abort);
        }
        counters?.multipart.inc();
      }
    } catch (thrown) {
      throw classifyS3Error(thrown, `uploading s3://${bucket}/${key}`);
    }
    counters?.objects.inc();
    counters?.bytes.inc(body.length);
  };

  /** Builds and uploads the objects of one prefix; returns the failures of its events. */
  const sendGroup = async (batch: Batch, prefix: string, indices: number[], signal: AbortSignal | undefined): Promise<EventFailure[]> => {
    const { requests, failures } = await buildRequests(batch.events, request, indices);
    for (const { payload, indices: carried } of requests) {
      const key = namer.next(prefix, scheduler.now());
      try {
        if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new DeliveryError(`object key is longer than S3's ${MAX_KEY_BYTES} bytes: ${key.slice(0, 120)}…`, false);
        signal?.throwIfAborted(); // past the deadline: deliver already counted the batch failed
        await upload(key, payload, signal);
      } catch (thrown) {
        const error = thrown instanceof DeliveryError ? thrown : classifyS3Error(thrown, `uploading s3://${bucket}/${key}`);
        for (const index of carried) failures.push(error.retryAfterMs === undefined ? { index, error, retryable: error.retryable } : { index, error, retryable: error.retryable, retryAfterMs: error.retryAfterMs });
      }
    }
    return failures;
  };

  const checkBucket = async ({ signal }: StartOptions): Promise<void> => {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
    } catch (thrown) {
      throw headBucketError(bucket, thrown);
    }
  };

  return {
    start: checkBucket,
    healthy: checkBucket,
    async send(batch: Batch, sendOptions?: SendOptions): Promise<SendResult> {
      const events = batch.events;
      if (events.length === 0) return DELIVERED;
      let now: string | undefined;
      const fallback = (): string => (now ??= new Date(scheduler.now()).toISOString());
      const groups = new Map<string, number[]>();
      for (let i = 0; i < events.length; i++) {
        const prefix = prefixes.prefixFor(events[i], fallback);
        const group = groups.get(prefix);
        if (group) group.push(i);
        else groups.set(prefix, [i]);
      }
      const signal = sendOptions?.signal;
      const failures: EventFailure[] = [];
      const pending = [...groups];
      const worker = async (): Promise<void> => {
        for (let next = pending.shift(); next; next = pending.shift()) failures.push(...(await sendGroup(batch, next[0], next[1], signal)));
      };
      await Promise.all(Array.from({ length: Math.min(GROUP_CONCURRENCY, pending.length) }, worker));
      if (failures.length === 0) return DELIVERED;
      failures.sort((a, b) => a.index - b.index);
      return { failures };
    },
    close(): Promise<void> {
      client.destroy();
      return Promise.resolve();
    },
  };
}
