import type { ObjectCannedACL, ServerSideEncryption, StorageClass } from '@aws-sdk/client-s3';
import { boolean, bytes, integer, oneOf, optional, string, type SchemaIssue } from '../../config/schema';
import { checkEncodingOptions, defineSink, sinkEncodingOptions } from '../../components/define';
import { requestOptions } from '../encoding';
import type * as ClientModule from './client';
import { lazyModule } from '../../components/lazy';
import { keyPrefixProblem } from './keys';
import type * as SinkModule from './sink';

/** The AWS SDK loads only when a pipeline has an s3 sink (`create` is synchronous, hence `require`). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const clientModule = lazyModule(() => require('./client') as typeof ClientModule);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sinkModule = lazyModule(() => require('./sink') as typeof SinkModule);

const MiB = 1024 * 1024;
/** S3's smallest part (all but the last) and largest part of a multipart upload. */
const MIN_PART_BYTES = 5 * MiB;
const MAX_PART_BYTES = 5 * 1024 * MiB;

const STORAGE_CLASSES = ['STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'GLACIER_IR', 'DEEP_ARCHIVE', 'EXPRESS_ONEZONE'] as const satisfies readonly StorageClass[];
const ENCRYPTIONS = ['AES256', 'aws:kms'] as const satisfies readonly ServerSideEncryption[];
const ACLS = ['private', 'public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read', 'bucket-owner-read', 'bucket-owner-full-control'] as const satisfies readonly ObjectCannedACL[];

export const s3Sink = defineSink({
  type: 's3',
  summary: 'Uploads batches as objects (NDJSON or a JSON array, gzip by default) to Amazon S3 or an S3-compatible server, under keys partitioned by time and fields.',
  options: {
    bucket: string({ description: 'The bucket; it must exist (checked with HeadBucket at start, never created).', example: 'logs-archive' }),
    region: optional(string({ description: "The bucket's region; absent: the AWS chain (`AWS_REGION`, the shared config file), or with an `endpoint` `AWS_REGION` else `us-east-1`.", example: 'eu-west-1' })),
    key_prefix: string({
      description:
        'Prefix of every object key. `%Y %m %d %H %M %S` and `%F` (= `%Y-%m-%d`) come from the event timestamp in UTC (the current time when it has none); `{{ field }}` is a field of the event (dotted paths allowed), with characters outside `A-Z a-z 0-9 ! - _ . * \' ( )` replaced by `_`. Events of one batch with different prefixes go to different objects. After the prefix comes `<YYYYMMDDTHHMMSSZ>-<host>-<pid>-<random>-<sequence>` and the extension (`.ndjson`/`.json`, then `.gz`...), unique per object.',
      default: 'date=%F/',
      example: 'service={{ service }}/date=%Y-%m-%d/hour=%H/',
    }),
    missing_field_value: string({ description: 'What a `{{ field }}` of `key_prefix` renders as when the event lacks the field (or it is empty, an object or an array).', default: '_missing', pattern: /^[A-Za-z0-9!_.*'()-]+$/ }),
    ...sinkEncodingOptions({ encoding: 'ndjson', encodings: ['ndjson', 'json_array'], compression: 'gzip' }),
    storage_class: optional(oneOf(STORAGE_CLASSES, { description: "The objects' storage class; absent: the bucket's default (STANDARD).", example: 'STANDARD_IA' })),
    server_side_encryption: optional(oneOf(ENCRYPTIONS, { description: 'Server-side encryption of every object: `AES256` (S3-managed keys) or `aws:kms` (with `kms_key_id`, or the account\'s default KMS key).', example: 'AES256' })),
    kms_key_id: optional(string({ description: 'With `server_side_encryption: aws:kms`: the KMS key id or ARN.', example: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' })),
    acl: optional(oneOf(ACLS, { description: 'A canned ACL for every object (buckets with "object ownership: bucket owner enforced" refuse any but `bucket-owner-full-control`).', example: 'bucket-owner-full-control' })),
    endpoint: optional(
      string({ description: 'An S3-compatible server instead of AWS (MinIO, Ceph, R2...). Empty means AWS, so `${S3_ENDPOINT:-}` serves both.', example: 'http://127.0.0.1:9000', pattern: /^(https?:\/\/[^\s/]+.*)?$/ }),
    ),
    force_path_style: boolean({ description: 'Address buckets as `<endpoint>/<bucket>/<key>` instead of `<bucket>.<endpoint>/<key>`; most S3-compatible servers need it.', default: false, example: true }),
    access_key_id: optional(string({ description: 'Static credentials (write `${AWS_ACCESS_KEY_ID}` to take them from the environment); absent: the standard AWS chain (env, shared files, SSO, web identity, container and instance roles).', example: '${S3_ACCESS_KEY_ID}' })),
    secret_access_key: optional(string({ description: 'With `access_key_id`: the secret.', example: '${S3_SECRET_ACCESS_KEY}' })),
    session_token: optional(string({ description: 'With `access_key_id`: a session token for temporary credentials.', example: '${AWS_SESSION_TOKEN}' })),
    multipart_threshold: bytes({ description: 'Objects larger than this are uploaded in parts (a failed upload is aborted, never left half-done).', default: 8 * MiB, min: MIN_PART_BYTES, example: '16MiB' }),
    multipart_part_size: bytes({ description: 'Size of each part of a multipart upload (S3: 5MiB to 5GiB, at most 10000 parts).', default: 8 * MiB, min: MIN_PART_BYTES, max: MAX_PART_BYTES, example: '16MiB' }),
    multipart_concurrency: integer({ description: 'Parts of one object uploaded at once.', default: 4, min: 1, max: 64 }),
  },
  // S3 wants few large objects: minutes are normal. Events wait in memory meanwhile: put a
  // disk buffer in front (see config/examples/s3-archive.yaml).
  batchDefaults: { maxEvents: 20_000, maxBytes: 10 * MiB, timeoutMs: 300_000 },
  example: { bucket: 'logs-archive', key_prefix: 'date=%F/' },
  check(config) {
    const issues: SchemaIssue[] = [...checkEncodingOptions(config)];
    const problem = safeProblem(config.key_prefix);
    if (problem !== undefined) issues.push({ path: ['key_prefix'], message: problem });
    if ((config.access_key_id === undefined) !== (config.secret_access_key === undefined)) {
      issues.push({ path: [config.access_key_id === undefined ? 'access_key_id' : 'secret_access_key'], message: 'access_key_id and secret_access_key go together' });
    }
    if (config.session_token !== undefined && config.access_key_id === undefined) issues.push({ path: ['session_token'], message: 'needs access_key_id and secret_access_key' });
    if (config.kms_key_id !== undefined && config.server_side_encryption !== 'aws:kms') issues.push({ path: ['kms_key_id'], message: 'needs server_side_encryption: aws:kms' });
    return issues;
  },
  create(config, ctx) {
    const { access_key_id: accessKeyId, secret_access_key: secretAccessKey, session_token: sessionToken } = config;
    const client = clientModule().createS3Client(
      {
        region: config.region,
        endpoint: config.endpoint || undefined,
        forcePathStyle: config.force_path_style,
        credentials: accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey, sessionToken } : undefined,
      },
      ctx.logger,
    );
    return sinkModule().createS3Sink({
      client,
      bucket: config.bucket,
      keyPrefix: config.key_prefix,
      missingFieldValue: config.missing_field_value,
      // One batch makes one object per prefix. The batch stage sends once it holds
      // batch.max_bytes, so a batch overshoots by up to one incoming batch; cutting objects
      // at exactly max_bytes would add a tiny remainder object to nearly every batch.
      request: { ...requestOptions(config), maxBytes: 2 * config.batch.max_bytes },
      object: { StorageClass: config.storage_class, ServerSideEncryption: config.server_side_encryption, SSEKMSKeyId: config.kms_key_id, ACL: config.acl },
      multipart: { threshold: config.multipart_threshold, partSize: config.multipart_part_size, queueSize: config.multipart_concurrency },
      scheduler: ctx.scheduler,
      counters: {
        objects: ctx.metrics.counter('sluice_s3_objects_uploaded_total', 'Objects an S3 sink uploaded (PutObject or a completed multipart upload).'),
        bytes: ctx.metrics.counter('sluice_s3_uploaded_bytes_total', 'Bytes of the objects an S3 sink uploaded, as stored (after compression).'),
        multipart: ctx.metrics.counter('sluice_s3_multipart_uploads_total', 'Objects an S3 sink uploaded in parts.'),
      },
    });
  },
});

/** The template's problem as text; a throw from compiling it (a bad directive or field path) is the problem. */
function safeProblem(template: string): string | undefined {
  try {
    return keyPrefixProblem(template);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
