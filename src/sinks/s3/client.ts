import { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../../observability/logger';

/** How the sink reaches S3 or an S3-compatible server. */
export interface S3ConnectionOptions {
  /**
   * Absent: the SDK's chain (`AWS_REGION`, the shared config file); with an `endpoint`,
   * `AWS_REGION`/`AWS_DEFAULT_REGION` or else `us-east-1` (S3-compatible servers rarely care,
   * and the SDK refuses to sign without one).
   */
  readonly region?: string;
  /** An S3-compatible server (`http://minio:9000`); absent: AWS. */
  readonly endpoint?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key` (MinIO, most self-hosted servers). */
  readonly forcePathStyle: boolean;
  /** Static credentials; absent: the standard AWS chain (env, shared files, SSO, web identity, ECS/EC2 roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Longest wait for a TCP connection: a server that is down should fail fast, not after the request timeout. */
  readonly connectionTimeoutMs?: number;
}

/**
 * The SDK's documented switch for its "upgrade to Node 22" warning (aws-sdk-js-v3#7983),
 * which it prints on stderr, outside the self-log, once per process on Node 20. sluice
 * supports Node 20, so the warning says nothing actionable to its users; a user who sets
 * the variable explicitly (either way) keeps their choice.
 */
const NODE_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * The SDK's logger routed into sluice's self-log. Its `error` is every failed command, which
 * the sink reports itself (classified, once) after the SDK's own retries: kept at debug.
 */
function sdkLogger(logger: Logger | undefined): { trace(...content: unknown[]): void; debug(...content: unknown[]): void; info(...content: unknown[]): void; warn(...content: unknown[]): void; error(...content: unknown[]): void } {
  const at = (level: 'trace' | 'debug' | 'warn') => (...content: unknown[]) => logger?.[level]({ sdk: content }, 'aws-sdk');
  return { trace: at('trace'), debug: at('trace'), info: at('debug'), warn: at('warn'), error: at('debug') };
}

/**
 * An S3 client that stays quiet on the console: the Node-version warning is switched off
 * (see above), and what the SDK logs (it warns through `console.warn` when it has no
 * logger) goes to sluice's self-log instead. The SDK keeps its own retry of single requests
 * (3 attempts, throttling-aware), so one slow part of a multipart upload does not fail the
 * whole object; what it gives up on reaches the sink's retry stage.
 */
export function createS3Client(options: S3ConnectionOptions, logger?: Logger): S3Client {
  process.env[NODE_WARNING_SWITCH] ??= 'true';
  return new S3Client({
    region: options.region ?? (options.endpoint === undefined ? undefined : (process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1')),
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    logger: sdkLogger(logger),
    requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 10_000 },
  });
}
