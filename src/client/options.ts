import { readFileSync } from 'node:fs';
import { credentials, Metadata, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { backoffOptions, type BackoffOptions } from '../../operators/reliability/backoff';

/** TLS towards a sluice `grpc` source with `tls:` set. PEM text or a file for each part. */
export interface ClientTlsOptions {
  /** CA certificate(s) the server's certificate must chain to (PEM). Default: Node's root CAs. */
  readonly ca?: string | Buffer;
  /** The same, read from a file. */
  readonly caFile?: string;
  /** Client certificate (PEM), for a server that requires mutual TLS; needs `key`. */
  readonly cert?: string | Buffer;
  readonly certFile?: string;
  /** The client certificate's private key (PEM). */
  readonly key?: string | Buffer;
  readonly keyFile?: string;
  /** Name checked against the server certificate when it differs from the address's host. */
  readonly serverName?: string;
}

/** How to reach sluice. */
export interface IngestClientOptions {
  /** `host:port` of a sluice `grpc` source (its `address`, default 127.0.0.1:4317). */
  readonly address: string;
  /** Sent as `authorization: Bearer <apiKey>` when the source has `auth.api_keys`. */
  readonly apiKey?: string;
  /** `true`: TLS with Node's root CAs; an object: TLS with these certificates. Absent: plain text. */
  readonly tls?: boolean | ClientTlsOptions;
  /** Extra metadata (headers) sent with every call. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Reconnection backoff (capped exponential with jitter). Default 100 ms doubling to 10 s, ± 20 %. */
  readonly backoff?: Partial<BackoffOptions>;
  /** A ping is sent after this long without traffic on an open stream, to find dead connections. Default 30 s. */
  readonly keepaliveMs?: number;
  /** Longest wait for a connection before the next reconnect attempt (streams) or failing (`push`). Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Further @grpc/grpc-js channel options (they win over the ones derived above). */
  readonly channelOptions?: ChannelOptions;
}

/** The client's reconnect backoff when none is given: quicker to cap than a sink's (10 s, not 30 s). */
export const CLIENT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: 0.2 });

/** {@link IngestClientOptions} checked and resolved into what @grpc/grpc-js takes. */
export interface ResolvedClientOptions {
  readonly address: string;
  readonly credentials: ChannelCredentials;
  readonly channelOptions: ChannelOptions;
  readonly metadata: Metadata;
  readonly backoff: BackoffOptions;
  readonly connectTimeoutMs: number;
}

const pem = (text: string | Buffer | undefined, file: string | undefined, what: string): Buffer | undefined => {
  if (text !== undefined && file !== undefined) throw new TypeError(`sluice client: tls: give ${what} or ${what}File, not both`);
  if (file !== undefined) return readFileSync(file);
  return text === undefined ? undefined : Buffer.from(text);
};

function channelCredentials(tls: IngestClientOptions['tls']): ChannelCredentials {
  if (tls === undefined || tls === false) return credentials.createInsecure();
  if (tls === true) return credentials.createSsl();
  const ca = pem(tls.ca, tls.caFile, 'ca');
  const cert = pem(tls.cert, tls.certFile, 'cert');
  const key = pem(tls.key, tls.keyFile, 'key');
  if ((cert === undefined) !== (key === undefined)) throw new TypeError('sluice client: tls: a client certificate needs both cert and key');
  return credentials.createSsl(ca ?? null, key ?? null, cert ?? null);
}

const positive = (value: number | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`sluice client: ${name} must be a positive number of milliseconds, got ${String(value)}`);
  return value;
};

/** Validates `options` (throws a TypeError/RangeError naming the option) and builds credentials and metadata. */
export function resolveClientOptions(options: IngestClientOptions): ResolvedClientOptions {
  if (typeof options?.address !== 'string' || !/^\S+:\d+$/.test(options.address)) {
    throw new TypeError(`sluice client: address must be "host:port", got ${JSON.stringify(options?.address)}`);
  }
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  if (options.apiKey !== undefined) {
    if (typeof options.apiKey !== 'string' || !/^\S+$/.test(options.apiKey)) throw new TypeError('sluice client: apiKey must be a non-empty string without spaces');
    metadata.set('authorization', `Bearer ${options.apiKey}`);
  }
  const backoff = backoffOptions({ ...CLIENT_BACKOFF, ...options.backoff }, 'sluice client: backoff');
  const keepaliveMs = positive(options.keepaliveMs, 30_000, 'keepaliveMs');
  const serverName = typeof options.tls === 'object' ? options.tls.serverName : undefined;
  const channelOptions: ChannelOptions = {
    // The channel's own reconnect pacing follows the client's backoff, so a restarted sluice is
    // found again within one backoff step rather than grpc-js's default of up to two minutes.
    'grpc.initial_reconnect_backoff_ms': Math.max(1, backoff.initialMs),
    'grpc.max_reconnect_backoff_ms': Math.max(1, backoff.maxMs),
    'grpc.keepalive_time_ms': keepaliveMs,
    'grpc.keepalive_timeout_ms': Math.min(20_000, keepaliveMs),
    ...(serverName === undefined ? {} : { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName }),
    ...options.channelOptions,
  };
  return {
    address: options.address,
    credentials: channelCredentials(options.tls),
    channelOptions,
    metadata,
    backoff,
    connectTimeoutMs: positive(options.connectTimeoutMs, 10_000, 'connectTimeoutMs'),
  };
}
