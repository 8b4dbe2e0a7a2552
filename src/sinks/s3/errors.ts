import { DeliveryError, isRetryable, toError } from '../../core/errors';
import { parseRetryAfter } from '../../core/retry-after';

/** Error codes S3 (or a compatible server) answers that no retry will cure: configuration, permissions, data. */
const PERMANENT_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccountProblem',
  'AllAccessDisabled',
  'AuthorizationHeaderMalformed',
  'EntityTooLarge',
  'InvalidAccessKeyId',
  'InvalidArgument',
  'InvalidBucketName',
  'InvalidBucketState',
  'InvalidEncryptionAlgorithmError',
  'InvalidObjectState',
  'InvalidRequest',
  'InvalidStorageClass',
  'KMS.DisabledException',
  'KMS.NotFoundException',
  'KMS.KMSInvalidStateException',
  'MethodNotAllowed',
  'NoSuchBucket',
  'NotImplemented',
  'PermanentRedirect',
  'SignatureDoesNotMatch',
  'UnresolvableGrantByEmailAddress',
]);

/** Codes that pass with time even where their HTTP status (400, 403, 409) reads as permanent. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'ExpiredToken',
  'InternalError',
  'OperationAborted',
  'PriorRequestNotComplete',
  'RequestLimitExceeded',
  'RequestTimeTooSkewed',
  'RequestTimeout',
  'ServiceUnavailable',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TokenRefreshRequired',
  'TooManyRequestsException',
]);

/** What the SDK puts on an error from a service response (read structurally: no `instanceof` across realms). */
interface ServiceErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly Code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Readonly<Record<string, string | undefined>> };
}

/** The server's `Retry-After` (seconds or an HTTP date) in ms, when it sent one. */
export function retryAfterMs(headers: Readonly<Record<string, string | undefined>> | undefined, nowMs = Date.now()): number | undefined {
  return parseRetryAfter(headers?.['retry-after'] ?? headers?.['Retry-After'], nowMs);
}

/** The HTTP status of a service error, or undefined for a network or client-side failure. */
export function httpStatus(thrown: unknown): number | undefined {
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  return (thrown as ServiceErrorShape).$metadata?.httpStatusCode;
}

/** S3's error code (`NoSuchBucket`, `SlowDown`) of a service error. */
export function errorCode(thrown: unknown): string {
  const shape = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as ServiceErrorShape;
  const code = typeof shape.Code === 'string' ? shape.Code : shape.name;
  return typeof code === 'string' ? code : 'Error';
}

/**
 * Turns whatever an S3 call threw into a {@link DeliveryError} that says whether a retry may
 * help, with S3's own code and message (`what` names the call and key):
 *
 * - throttling (`SlowDown`, 429), server errors (5xx except 501), timeouts and clock skew
 *   are retryable, with the server's `Retry-After` as the hint when it sent one;
 * - access, bucket, argument and encryption errors (`AccessDenied`, `NoSuchBucket`,
 *   `InvalidArgument`, ...) and every other 4xx are permanent: the same request fails again;
 * - an error with no HTTP response (a refused connection, a DNS failure, missing
 *   credentials) is an outage and retryable, unless it is a TypeError/RangeError (a bug or
 *   data no retry fixes), by the rule every sink shares ({@link isRetryable}).
 */
export function classifyS3Error(thrown: unknown, what: string): DeliveryError {
  if (thrown instanceof DeliveryError) return thrown;
  const error = toError(thrown);
  const status = httpStatus(thrown);
  if (status === undefined) {
    return new DeliveryError(`${what}: ${error.name}: ${error.message}`, isRetryable(error), { cause: thrown });
  }
  const code = errorCode(thrown);
  const retryable = PERMANENT_CODES.has(code) ? false : RETRYABLE_CODES.has(code) || status === 429 || (status >= 500 && status !== 501);
  const hint = retryable ? retryAfterMs((thrown as ServiceErrorShape).$response?.headers) : undefined;
  const message = `${what}: ${code} (HTTP ${status}): ${error.message}`;
  return new DeliveryError(message, retryable, hint === undefined ? { cause: thrown } : { cause: thrown, retryAfterMs: hint });
}

/** A readable reason why HeadBucket failed at start: the bucket is missing, forbidden, elsewhere. */
export function headBucketError(bucket: string, thrown: unknown): Error {
  const status = httpStatus(thrown);
  const name = JSON.stringify(bucket);
  if (status === 404) return new Error(`bucket ${name} does not exist (HeadBucket: 404); sluice never creates buckets: create it first`, { cause: thrown });
  if (status === 403) return new Error(`access to bucket ${name} is denied (HeadBucket: 403): check the credentials and the bucket policy`, { cause: thrown });
  if (status === 301) return new Error(`bucket ${name} is in another region (HeadBucket: 301): set region to the bucket's region`, { cause: thrown });
  return classifyS3Error(thrown, `HeadBucket ${name}`);
}
