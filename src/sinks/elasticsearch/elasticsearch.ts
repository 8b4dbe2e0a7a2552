import { boolean, list, object, oneOf, optional, string, type SchemaIssue } from '../../config/schema';
import { checkEncodingOptions, defineSink, sinkEncodingOptions } from '../../components/define';
import { compressionCodecs } from '../../../operators/compress';
import { compilePath } from '../../core/field-path';
import { requestOptions } from '../encoding';
import { BulkEncoding } from './bulk-encoder';
import type * as ClientModule from './client';
import { IndexTemplate } from './index-template';
import type * as SinkModule from './sink';
import { ElasticsearchMetrics } from './sink-metrics';
import { lazyModule } from '../../components/lazy';

/** The client library loads only when a pipeline has an elasticsearch sink (`create` is synchronous, hence `require`). */
const implementation = lazyModule(() => ({
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  client: require('./client') as typeof ClientModule,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sink: require('./sink') as typeof SinkModule,
}));

const { compression, compression_level } = sinkEncodingOptions({ encoding: 'ndjson' });

/** Request encodings Elasticsearch decodes (its HTTP layer inflates gzip and deflate bodies). */
const ACCEPTED_CONTENT_ENCODINGS = new Set(['gzip', 'deflate']);

export const elasticsearchSink = defineSink({
  type: 'elasticsearch',
  summary: 'Indexes events into Elasticsearch with the bulk API: dated index names, deterministic ids, only failed documents retried.',
  options: {
    endpoints: optional(
      list(string({ description: 'One node URL.' }), {
        description: 'Elasticsearch node URLs (`http://` or `https://`), used round robin; give this or `cloud_id`.',
        example: ['https://es-1.internal:9200', 'https://es-2.internal:9200'],
        minItems: 1,
      }),
    ),
    cloud_id: optional(string({ description: 'An Elastic Cloud deployment id, instead of `endpoints`.', example: 'logs:ZXUtd2VzdC0xLmF3cy5mb3VuZC5pbyRhYmMkZGVm' })),
    index: string({
      description:
        'Index name template: `%Y %m %d %H %M %S` from the event timestamp in UTC (the current time when it has none), `{{ field }}` from the event (lowercased; an event without the field goes to the dead-letter queue).',
      default: 'sluice-%Y.%m.%d',
      example: 'logs-{{ service }}-%Y.%m',
    }),
    action: oneOf(['index', 'create'] as const, {
      description: '`index` writes or overwrites the document with that id; `create` only writes new ids (data streams need it); a resend of an existing id counts as delivered.',
      default: 'index',
    }),
    id_field: optional(string({ description: 'A field (dotted path) whose value is the document `_id`; events without it get `document_id`.', example: 'event.id' })),
    document_id: oneOf(['hash', 'auto'] as const, {
      description:
        '`hash`: the id is a SHA-256 of the document (and its source position), so a resent bulk overwrites instead of duplicating; `auto`: Elasticsearch picks ids (a little faster to index, but a resend after a timeout can duplicate).',
      default: 'hash',
    }),
    pipeline: optional(string({ description: 'An ingest pipeline every document goes through.', example: 'parse-nginx' })),
    auth: optional(
      object(
        {
          username: optional(string({ description: 'Basic auth user.', example: 'sluice_writer' })),
          password: optional(string({ description: 'Basic auth password (use `${ES_PASSWORD}`).', example: '${ES_PASSWORD}' })),
          api_key: optional(string({ description: 'An API key (the base64 `id:key` Elasticsearch returns as `encoded`), instead of a user.', example: '${ES_API_KEY}' })),
        },
        { description: 'Credentials: `username` and `password`, or `api_key`.' },
      ),
    ),
    tls: optional(
      object(
        {
          ca_file: optional(string({ description: 'PEM file of the CA that signed the server certificate.', example: '/etc/sluice/es-ca.pem' })),
          verify_certificate: boolean({ description: 'Refuse a server whose certificate does not verify. Turn off only for tests.', default: true, example: false }),
        },
        { description: 'TLS for `https://` endpoints.' },
      ),
    ),
    compression,
    compression_level,
  },
  batchDefaults: { maxEvents: 10_000, maxBytes: 10_000_000, timeoutMs: 1000 },
  example: { endpoints: ['http://127.0.0.1:9200'], index: 'logs-%Y.%m.%d' },
  check: checkElasticsearchOptions,
  create(config, ctx) {
    const { codec, level } = requestOptions({ ...config, encoding: 'ndjson' });
    const { client: clientModule, sink: sinkModule } = implementation();
    const client = clientModule.createClient({
      endpoints: config.endpoints,
      cloudId: config.cloud_id,
      auth: config.auth && { username: config.auth.username, password: config.auth.password, apiKey: config.auth.api_key },
      tls: config.tls && { caFile: config.tls.ca_file, verifyCertificate: config.tls.verify_certificate },
      requestTimeoutMs: config.request_timeout,
      name: ctx.id,
    });
    const encoding = new BulkEncoding({ action: config.action, index: new IndexTemplate(config.index), idField: config.id_field, documentId: config.document_id });
    return sinkModule.createElasticsearchSink({
      client,
      encoding,
      action: config.action,
      pipeline: config.pipeline,
      maxBytes: config.batch.max_bytes,
      codec,
      level,
      metrics: new ElasticsearchMetrics(ctx.metrics),
      scheduler: ctx.scheduler,
    });
  },
});

interface CheckedOptions {
  readonly endpoints?: readonly string[];
  readonly cloud_id?: string;
  readonly index: string;
  readonly id_field?: string;
  readonly auth?: { readonly username?: string; readonly password?: string; readonly api_key?: string };
  readonly compression: Parameters<typeof checkEncodingOptions>[0]['compression'];
  readonly compression_level?: number;
}

/** What the option types cannot see: where to connect, how to log in, what the templates and codec mean. */
export function checkElasticsearchOptions(config: CheckedOptions): SchemaIssue[] {
  const issues: SchemaIssue[] = [...checkEncodingOptions(config)];
  if ((config.endpoints === undefined) === (config.cloud_id === undefined)) issues.push({ path: ['endpoints'], message: 'give either endpoints or cloud_id (exactly one)' });
  config.endpoints?.forEach((endpoint, i) => {
    let protocol = '';
    try {
      protocol = new URL(endpoint).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') issues.push({ path: ['endpoints', i], message: `not an http:// or https:// URL: ${JSON.stringify(endpoint)}` });
  });
  const auth = config.auth;
  if (auth?.api_key !== undefined && (auth.username !== undefined || auth.password !== undefined)) issues.push({ path: ['auth'], message: 'give api_key or username/password, not both' });
  if ((auth?.username === undefined) !== (auth?.password === undefined)) issues.push({ path: ['auth'], message: 'username and password go together' });
  const contentEncoding = compressionCodecs.get(config.compression).contentEncoding;
  if (contentEncoding !== undefined && !ACCEPTED_CONTENT_ENCODINGS.has(contentEncoding)) {
    issues.push({ path: ['compression'], message: `Elasticsearch accepts gzip or deflate request bodies, not ${config.compression}` });
  }
  for (const [path, compile] of [
    ['index', () => new IndexTemplate(config.index)],
    ['id_field', () => config.id_field !== undefined && compilePath(config.id_field)],
  ] as const) {
    try {
      compile();
    } catch (error) {
      issues.push({ path: [path], message: (error as Error).message });
    }
  }
  return issues;
}
