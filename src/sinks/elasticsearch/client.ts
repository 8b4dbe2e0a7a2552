import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { DeliveryError, isRetryable, toError } from '../../core/errors';
import { describeCause, isRetryableStatus, type ElasticsearchErrorCause } from './bulk-response';
import { parseRetryAfter } from '../../core/retry-after';

/** Where and how to connect (the sink's `endpoints`, `cloud_id`, `auth`, `tls`, `request_timeout`). */
export interface ConnectionOptions {
  readonly endpoints?: readonly string[];
  readonly cloudId?: string;
  readonly auth?: { readonly username?: string; readonly password?: string; readonly apiKey?: string };
  readonly tls?: { readonly caFile?: string; readonly verifyCertificate: boolean };
  readonly requestTimeoutMs: number;
  /** Names the client in its diagnostics (the component id). */
  readonly name: string;
}

/**
 * The client's options, separate from constructing it so a unit test can read them. The
 * client does no retrying of its own (`maxRetries: 0`): every resend goes through the sink's
 * retry stage, so backoff, `Retry-After`, the circuit breaker and the retried-events metric
 * see each attempt once. It compresses nothing itself either (the shared codec did), and
 * sniffing is off (behind a load balancer or Elastic Cloud it finds unreachable addresses).
 * The client writes no logs of its own: it reports through `client.diagnostic` events,
 * which the sink does not forward to the console.
 */
export function clientOptions(options: ConnectionOptions): ClientOptions {
  const { auth, tls } = options;
  const client: ClientOptions = {
    name: options.name,
    maxRetries: 0,
    requestTimeout: options.requestTimeoutMs,
    compression: false,
    sniffOnStart: false,
    sniffOnConnectionFault: false,
  };
  if (options.cloudId !== undefined) client.cloud = { id: options.cloudId };
  else client.nodes = [...(options.endpoints ?? [])];
  if (auth?.apiKey !== undefined) client.auth = { apiKey: auth.apiKey };
  else if (auth?.username !== undefined) client.auth = { username: auth.username, password: auth.password ?? '' };
  if (tls) {
    // Read once at creation: a CA file that cannot be read is a configuration error, reported at start-up.
    const ca = tls.caFile === undefined ? undefined : readFileSync(tls.caFile);
    client.tls = { ...(ca ? { ca } : {}), rejectUnauthorized: tls.verifyCertificate };
  }
  return client;
}

/** A client for the sink. */
export function createClient(options: ConnectionOptions): Client {
  return new Client(clientOptions(options));
}

/** `Retry-After` in ms, from seconds or an HTTP date; undefined when absent or unreadable. */
export const retryAfterMs = parseRetryAfter;

interface ClientErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly meta?: { readonly statusCode?: number; readonly headers?: Record<string, unknown>; readonly body?: unknown };
}

/**
 * A whole request that failed, as a {@link DeliveryError} that says whether a retry may
 * help. Retryable: no connection (refused, reset, DNS), a timeout or an abort, 429 (with
 * its `Retry-After`), 408 and 5xx, a response that would not parse (a proxy's error page).
 * Permanent: 401/403 (credentials or privileges a resend will not fix), 413 (the body is
 * larger than `http.max_content_length`: lower `batch.max_bytes`), other 4xx, and a server
 * that is not Elasticsearch.
 */
export function requestFailure(thrown: unknown, what: string): DeliveryError {
  const error = toError(thrown);
  const shape = error as ClientErrorShape;
  const status = shape.meta?.statusCode;
  if (error.name === 'ResponseError' && typeof status === 'number') {
    const body = shape.meta?.body as { error?: ElasticsearchErrorCause | string } | string | undefined;
    const cause = typeof body === 'object' && body !== null ? body.error : body;
    const detail = typeof cause === 'object' ? describeCause(cause) : typeof cause === 'string' && cause !== '' ? cause.slice(0, 500) : `HTTP ${status}`;
    const hint = status === 413 ? ' (the request is larger than http.max_content_length: lower batch.max_bytes)' : '';
    const retryable = isRetryableStatus(status);
    const after = retryable ? retryAfterMs(shape.meta?.headers?.['retry-after']) : undefined;
    return new DeliveryError(`${what} failed with ${status}: ${detail}${hint}`, retryable, { cause: error, retryAfterMs: after });
  }
  switch (error.name) {
    case 'ConnectionError':
    case 'TimeoutError':
    case 'NoLivingConnectionsError':
    case 'RequestAbortedError':
    case 'DeserializationError':
      return new DeliveryError(`${what} failed: ${error.message}`, true, { cause: error });
    case 'ProductNotSupportedError':
    case 'ConfigurationError':
      return new DeliveryError(`${what} failed: ${error.message}`, false, { cause: error });
    default:
      return new DeliveryError(`${what} failed: ${error.message}`, isRetryable(error), { cause: error });
  }
}
