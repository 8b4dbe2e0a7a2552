import { S3ServiceException } from '@aws-sdk/client-s3';
import { DeliveryError } from '../../../../src/core/errors';
import { classifyS3Error, headBucketError, retryAfterMs } from '../../../../src/sinks/s3/errors';

/** An error as the SDK throws it for an S3 error response. */
function s3Error(name: string, status: number, message = `${name} happened`, headers: Record<string, string> = {}): S3ServiceException {
  const error = new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
  Object.assign(error, { $response: { statusCode: status, headers, body: undefined } });
  return error;
}

const classify = (thrown: unknown): DeliveryError => classifyS3Error(thrown, 'uploading s3://b/k');

describe('classifyS3Error', () => {
  it.each([
    ['SlowDown', 503],
    ['ServiceUnavailable', 503],
    ['InternalError', 500],
    ['BadGateway', 502],
    ['GatewayTimeout', 504],
    ['TooManyRequests', 429],
    ['RequestTimeout', 400],
    ['RequestTimeTooSkewed', 403],
    ['ExpiredToken', 400],
    ['OperationAborted', 409],
  ])('treats %s (HTTP %i) as retryable', (name, status) => {
    expect(classify(s3Error(name, status)).retryable).toBe(true);
  });

  it.each([
    ['AccessDenied', 403],
    ['NoSuchBucket', 404],
    ['InvalidArgument', 400],
    ['InvalidAccessKeyId', 403],
    ['SignatureDoesNotMatch', 403],
    ['EntityTooLarge', 400],
    ['InvalidStorageClass', 400],
    ['KMS.NotFoundException', 400],
    ['NotImplemented', 501],
    ['SomethingNew', 400],
  ])('treats %s (HTTP %i) as permanent', (name, status) => {
    expect(classify(s3Error(name, status)).retryable).toBe(false);
  });

  it("keeps S3's code, status and message in the error", () => {
    const error = classify(s3Error('NoSuchBucket', 404, 'The specified bucket does not exist'));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toBe('uploading s3://b/k: NoSuchBucket (HTTP 404): The specified bucket does not exist');
  });

  it('honours Retry-After on a retryable error, in seconds or as an HTTP date', () => {
    expect(classify(s3Error('SlowDown', 503, 'slow', { 'retry-after': '7' })).retryAfterMs).toBe(7000);
    const date = new Date(Date.now() + 60_000).toUTCString();
    const fromDate = classify(s3Error('SlowDown', 503, 'slow', { 'retry-after': date })).retryAfterMs ?? 0;
    expect(fromDate).toBeGreaterThan(55_000);
    expect(fromDate).toBeLessThanOrEqual(60_000);
    expect(classify(s3Error('SlowDown', 503)).retryAfterMs).toBeUndefined();
    // a permanent error has no retry hint even if the server sent one
    expect(classify(s3Error('AccessDenied', 403, 'no', { 'retry-after': '5' })).retryAfterMs).toBeUndefined();
  });

  it('treats a network failure without a response as retryable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const error = classify(refused);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
    const timeout = Object.assign(new Error('Connection timed out after 10000 ms'), { name: 'TimeoutError' });
    expect(classify(timeout).retryable).toBe(true);
  });

  it('treats a TypeError without a response as permanent (a bug or bad data)', () => {
    expect(classify(new TypeError('cannot read x')).retryable).toBe(false);
  });

  it('passes a DeliveryError through unchanged', () => {
    const original = new DeliveryError('already classified', false);
    expect(classify(original)).toBe(original);
  });
});

describe('retryAfterMs', () => {
  it('ignores missing, empty, negative and malformed values', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '-3' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '0.5' })).toBe(500);
  });
});

describe('headBucketError', () => {
  it('says a missing bucket is not created', () => {
    expect(headBucketError('logs', s3Error('NotFound', 404)).message).toMatch(/bucket "logs" does not exist.*never creates buckets/);
  });

  it('says access is denied, or that the bucket is in another region', () => {
    expect(headBucketError('logs', s3Error('Forbidden', 403)).message).toMatch(/access to bucket "logs" is denied/);
    expect(headBucketError('logs', s3Error('PermanentRedirect', 301)).message).toMatch(/another region/);
  });

  it('classifies anything else like an upload error', () => {
    const error = headBucketError('logs', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).retryable).toBe(true);
  });
});
