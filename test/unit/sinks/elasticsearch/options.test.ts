import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elasticsearchSink } from '../../../../src/sinks/elasticsearch/elasticsearch';
import { clientOptions, retryAfterMs } from '../../../../src/sinks/elasticsearch/client';
import { configIssues, parseConfig } from '../../../helpers/context';

const issues = (input: Record<string, unknown>): string[] => {
  const shape = configIssues(elasticsearchSink, input);
  if (shape.length > 0) return shape;
  return (elasticsearchSink.check?.(parseConfig(elasticsearchSink, input)) ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('elasticsearch sink options', () => {
  it('accepts its example with documented defaults: 10 MB bulks, index action, hash ids', () => {
    const config = parseConfig(elasticsearchSink, elasticsearchSink.example);
    expect(issues(elasticsearchSink.example)).toEqual([]);
    expect(config).toMatchObject({ action: 'index', document_id: 'hash', compression: 'none', batch: { max_bytes: 10_000_000, max_events: 10_000 } });
  });

  it('needs exactly one of endpoints and cloud_id, and http(s) URLs', () => {
    expect(issues({})).toEqual(['endpoints: give either endpoints or cloud_id (exactly one)']);
    expect(issues({ endpoints: ['http://a:9200'], cloud_id: 'x:eQ==' })).toEqual(['endpoints: give either endpoints or cloud_id (exactly one)']);
    expect(issues({ endpoints: ['es-1:9200', 'ftp://x'] })).toEqual(['endpoints.0: not an http:// or https:// URL: "es-1:9200"', 'endpoints.1: not an http:// or https:// URL: "ftp://x"']);
    expect(issues({ cloud_id: 'logs:ZXUtd2VzdC0xLmF3cy5mb3VuZC5pbyRhYmMkZGVm' })).toEqual([]);
  });

  it('refuses half or mixed credentials', () => {
    expect(issues({ endpoints: ['http://a'], auth: { username: 'u' } })).toEqual(['auth: username and password go together']);
    expect(issues({ endpoints: ['http://a'], auth: { username: 'u', password: 'p', api_key: 'k' } })).toEqual(['auth: give api_key or username/password, not both']);
  });

  it('refuses a bad index template or id field at validation, not at the first event', () => {
    expect(issues({ endpoints: ['http://a'], index: 'logs-%q' })).toEqual([expect.stringMatching(/^index: .*unsupported directive %q/)]);
    expect(issues({ endpoints: ['http://a'], index: 'logs-{{ a }' })).toEqual([expect.stringMatching(/^index: .*unbalanced/)]);
    expect(issues({ endpoints: ['http://a'], id_field: 'a..b' })).toEqual([expect.stringMatching(/^id_field: invalid field path/)]);
  });

  it('checks the compression level against the codec', () => {
    expect(issues({ endpoints: ['http://a'], compression: 'gzip', compression_level: 12 })).toEqual(['compression_level: compression "gzip" takes a level from 0 to 9']);
    expect(issues({ endpoints: ['http://a'], compression: 'deflate' })).toEqual([]);
  });
});

describe('clientOptions', () => {
  it('leaves retries, compression and sniffing to sluice', () => {
    expect(clientOptions({ endpoints: ['http://a:9200', 'http://b:9200'], requestTimeoutMs: 5000, name: 'search' })).toEqual({
      name: 'search',
      nodes: ['http://a:9200', 'http://b:9200'],
      maxRetries: 0,
      requestTimeout: 5000,
      compression: false,
      sniffOnStart: false,
      sniffOnConnectionFault: false,
    });
  });

  it('connects to Elastic Cloud by id, with an API key', () => {
    const options = clientOptions({ cloudId: 'logs:abc', auth: { apiKey: 'k' }, requestTimeoutMs: 1, name: 'x' });
    expect(options.cloud).toEqual({ id: 'logs:abc' });
    expect(options.nodes).toBeUndefined();
    expect(options.auth).toEqual({ apiKey: 'k' });
  });

  it('reads the CA file for TLS and keeps certificate verification on unless told', () => {
    const ca = join(mkdtempSync(join(tmpdir(), 'sluice-es-ca-')), 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const options = clientOptions({ endpoints: ['https://a'], tls: { caFile: ca, verifyCertificate: true }, requestTimeoutMs: 1, name: 'x' });
    expect(options.tls?.ca?.toString()).toContain('BEGIN CERTIFICATE');
    expect(options.tls?.rejectUnauthorized).toBe(true);
    expect(() => clientOptions({ endpoints: ['https://a'], tls: { caFile: '/nonexistent/ca.pem', verifyCertificate: true }, requestTimeoutMs: 1, name: 'x' })).toThrow('ENOENT');
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, ignoring what it cannot read', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(['1.5'])).toBe(1500);
    expect(retryAfterMs('Wed, 02 Dec 2026 20:00:10 GMT', Date.parse('2026-12-02T20:00:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('-1')).toBeUndefined();
  });
});
