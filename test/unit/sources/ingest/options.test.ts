import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler } from 'rxjs';
import { IssueCollector, object } from '../../../../src/config/schema';
import { ApiKeys } from '../../../../src/sources/ingest/api-keys';
import { apiKeysFrom, checkIngestOptions, ingestOptions, rateLimiterFrom, secureContextOptions } from '../../../../src/sources/ingest/options';

const shape = object(ingestOptions, { description: 'test' });
const parse = (value: unknown) => {
  const issues = new IssueCollector();
  const config = shape.parse(value, [], issues);
  return { config: config!, issues: issues.issues };
};

describe('ingest options', () => {
  it('defaults to no auth, no TLS, no rate limit, ack on delivery', () => {
    const { config, issues } = parse({});
    expect(issues).toEqual([]);
    expect(config).toEqual({ auth: { api_keys: undefined, api_keys_file: undefined }, tls: undefined, rate_limit: undefined, ack: 'delivered' });
    expect(apiKeysFrom(config.auth)).toBeUndefined();
    expect(rateLimiterFrom(config.rate_limit, asyncScheduler)).toBeUndefined();
  });

  it('parses every block and builds keys and a limiter from them', () => {
    const { config, issues } = parse({ auth: { api_keys: ['k1'] }, rate_limit: { events_per_second: 100 }, ack: 'received' });
    expect(issues).toEqual([]);
    expect(apiKeysFrom(config.auth)?.authenticate('Bearer k1', undefined)).toBe(ApiKeys.idOf('k1'));
    const limiter = rateLimiterFrom(config.rate_limit, asyncScheduler)!;
    expect(limiter.take('k', 100)).toBe(0); // burst defaults to one second's worth
    expect(limiter.take('k', 1)).toBeGreaterThan(0);
  });

  it('reports bad values with their paths', () => {
    const { issues } = parse({ auth: { api_keys: ['has space'] }, tls: { cert: 'c' }, rate_limit: { events_per_second: 0 }, ack: 'never' });
    expect(issues.map((issue) => issue.path.join('.'))).toEqual(['auth.api_keys.0', 'tls.key', 'rate_limit.events_per_second', 'ack']);
  });

  it('requires client_ca for require_client_cert', () => {
    const { config } = parse({ tls: { cert: 'c', key: 'k', require_client_cert: true } });
    expect(checkIngestOptions(config)).toEqual([{ path: ['tls', 'require_client_cert'], message: expect.stringMatching(/client_ca/) }]);
    expect(checkIngestOptions(parse({ tls: { cert: 'c', key: 'k', client_ca: 'ca', require_client_cert: true } }).config)).toEqual([]);
  });

  it('reads the TLS files into secure-context options, asking for client certificates only with a client CA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
    for (const name of ['cert.pem', 'key.pem', 'ca.pem']) writeFileSync(join(dir, name), `${name} contents`);
    const plain = secureContextOptions({ cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), require_client_cert: false });
    expect(plain.cert?.toString()).toBe('cert.pem contents');
    expect(plain.key?.toString()).toBe('key.pem contents');
    expect(plain).toMatchObject({ requestCert: false, rejectUnauthorized: false });
    expect(plain.ca).toBeUndefined();
    const mutual = secureContextOptions({ cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), client_ca: join(dir, 'ca.pem'), require_client_cert: true });
    expect(mutual.ca?.toString()).toBe('ca.pem contents');
    expect(mutual).toMatchObject({ requestCert: true, rejectUnauthorized: true });
    expect(() => secureContextOptions({ cert: join(dir, 'missing'), key: 'k', require_client_cert: false })).toThrow(/ENOENT/);
  });
});
