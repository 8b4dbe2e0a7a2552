import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import type { SchedulerLike } from 'rxjs';
import { boolean, integer, list, number, object, oneOf, optional, string, type InferOut, type SchemaIssue } from '../../config/schema';
import { ApiKeys } from './api-keys';
import { RateLimiter } from './rate-limit';

/** `auth:` — API keys a client must present; absent or empty: no authentication. */
export const authOptions = object(
  {
    api_keys: optional(list(string({ description: 'A key.', pattern: /^\S+$/ }), { description: 'Keys accepted as `Authorization: Bearer <key>` or `x-api-key: <key>`. Prefer `api_keys_file` or `${ENV}` substitution over keys written in the config.', example: ['${SLUICE_API_KEY}'] })),
    api_keys_file: optional(string({ description: 'A file of keys, one per line (`#` starts a comment); read at start-up.', example: '/etc/sluice/api-keys' })),
  },
  { description: 'API-key authentication. With no key configured every client is accepted; otherwise a request without a known key is refused (HTTP 401, gRPC UNAUTHENTICATED). Keys are compared in constant time; metrics and batch meta carry only a key id (`key-` and 12 hex digits of a hash).' },
);

/** `tls:` — serve TLS, optionally requiring client certificates (mutual TLS). */
export const tlsOptions = optional(
  object(
    {
      cert: string({ description: 'PEM file of the server certificate (and chain).', example: '/etc/sluice/tls/server.crt' }),
      key: string({ description: 'PEM file of the server private key.', example: '/etc/sluice/tls/server.key' }),
      client_ca: optional(string({ description: 'PEM file of the CA(s) that sign client certificates; clients presenting one are verified against it.', example: '/etc/sluice/tls/clients-ca.crt' })),
      require_client_cert: boolean({ description: 'Refuse clients without a certificate signed by `client_ca` (mutual TLS).', default: false, example: true }),
    },
    { description: 'Serve TLS instead of plain text. Absent: plain text.' },
  ),
);

/** `rate_limit:` — a token bucket per API key (or per client address when auth is off). */
export const rateLimitOptions = optional(
  object(
    {
      events_per_second: number({ description: 'Sustained events per second per key.', example: 50_000, min: 0.001 }),
      burst: optional(integer({ description: 'Events a key may send at once after being idle; default: one second of `events_per_second`.', example: 100_000, min: 1 })),
    },
    { description: 'Per-key rate limit (HTTP 429 with Retry-After, gRPC RESOURCE_EXHAUSTED). Absent: no rate limit; credit still bounds what is in flight.' },
  ),
);

/** `ack:` — when a client is answered. */
export const ackOption = oneOf(['delivered', 'received'] as const, {
  description: '`delivered`: answer once every event of the request is delivered by every sink (or durably buffered); `received`: answer as soon as the request is read and validated (faster, but an ack then promises nothing).',
  default: 'delivered',
  example: 'received',
});

/** The options both network ingest sources (HTTP, gRPC) share; spread into a source's `options`. */
export const ingestOptions = { auth: authOptions, tls: tlsOptions, rate_limit: rateLimitOptions, ack: ackOption };

/** The validated `auth:` block. */
export interface AuthConfig {
  readonly api_keys?: readonly string[];
  readonly api_keys_file?: string;
}
/** The validated `tls:` block. */
export interface TlsConfig {
  readonly cert: string;
  readonly key: string;
  readonly client_ca?: string;
  readonly require_client_cert: boolean;
}
/** The validated `rate_limit:` block. */
export interface RateLimitConfig {
  readonly events_per_second: number;
  readonly burst?: number;
}
/** When a client is answered: `delivered` (the ack resolved) or `received`. */
export type AckMode = InferOut<{ a: typeof ackOption }>['a'];

/** Cross-option problems of {@link ingestOptions}, for a source's `check`. */
export function checkIngestOptions(config: { tls?: TlsConfig; auth?: AuthConfig }): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (config.tls?.require_client_cert === true && config.tls.client_ca === undefined) {
    issues.push({ path: ['tls', 'require_client_cert'], message: 'require_client_cert needs tls.client_ca to verify client certificates against' });
  }
  return issues;
}

/** The API keys of `auth`, or undefined when authentication is off (reads the key file). */
export function apiKeysFrom(auth: AuthConfig | undefined): ApiKeys | undefined {
  return auth === undefined ? undefined : ApiKeys.from({ keys: auth.api_keys, file: auth.api_keys_file });
}

/** The rate limiter of `rateLimit`, or undefined when there is none. */
export function rateLimiterFrom(rateLimit: RateLimitConfig | undefined, scheduler: SchedulerLike): RateLimiter | undefined {
  if (rateLimit === undefined) return undefined;
  const burst = rateLimit.burst ?? Math.max(1, Math.ceil(rateLimit.events_per_second));
  return new RateLimiter({ eventsPerSecond: rateLimit.events_per_second, burst }, scheduler);
}

/**
 * Node's secure-context options for `tls` (reads the PEM files, synchronously, at start-up):
 * `cert`, `key`, and with `client_ca` the `ca` that client certificates are verified against,
 * `requestCert`, and `rejectUnauthorized` = `require_client_cert`. Spread the result into
 * `https.createServer`/`tls.createServer`; gRPC takes the same files through its own API.
 */
export function secureContextOptions(tls: TlsConfig): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
  const ca = tls.client_ca === undefined ? undefined : readFileSync(tls.client_ca);
  return {
    cert: readFileSync(tls.cert),
    key: readFileSync(tls.key),
    ...(ca === undefined ? {} : { ca }),
    requestCert: ca !== undefined,
    rejectUnauthorized: tls.require_client_cert,
  };
}
