import { kafkaSink } from '../../../../src/sinks/kafka';
import { configIssues, parseConfig } from '../../../helpers/context';

const base = { brokers: ['127.0.0.1:9092'], topic: 'logs' };

describe('kafka sink options', () => {
  it('accepts its example and fills documented defaults', () => {
    expect(configIssues(kafkaSink, kafkaSink.example)).toEqual([]);
    const config = parseConfig(kafkaSink, base);
    expect(config).toMatchObject({
      partition_strategy: 'hash',
      required_acks: -1,
      idempotent: false,
      compression: 'none',
      encoding: 'json',
      max_request_bytes: 1024 * 1024,
      max_topics: 100,
      client_id: 'sluice',
    });
    expect(kafkaSink.check?.(config)).toEqual([]);
  });

  it('takes sizes and durations with units', () => {
    const config = parseConfig(kafkaSink, { ...base, max_request_bytes: '4MiB', ack_timeout: '10s', connection_timeout: '500ms', metadata_max_age: '1m' });
    expect(config).toMatchObject({ max_request_bytes: 4 * 1024 * 1024, ack_timeout: 10_000, connection_timeout: 500, metadata_max_age: 60_000 });
  });

  it.each([
    [{ brokers: [] }, 'brokers: needs at least 1 item(s)'],
    [{ brokers: ['no-port'] }, 'brokers.0: does not match'],
    [{ topic: 'has space' }, 'topic: does not match'],
    [{ required_acks: 2 }, 'required_acks: must be at most 1, got 2'],
    [{ partition_strategy: 'sticky' }, 'partition_strategy: expected one of hash, random, round_robin, manual, got "sticky"'],
    [{ compression: 'brotli' }, 'compression: expected one of none, gzip, snappy, lz4, zstd, got "brotli"'],
    [{ encoding: 'ndjson' }, 'encoding: expected one of json, text, got "ndjson"'],
    [{ sasl: { mechanism: 'oauthbearer', username: 'u', password: 'p' } }, 'sasl.mechanism: expected one of plain, scram-sha-256, scram-sha-512'],
    [{ max_topics: 0 }, 'max_topics: must be at least 1, got 0'],
  ])('rejects %o', (override, expected) => {
    expect(configIssues(kafkaSink, { ...base, ...override }).join('\n')).toContain(expected);
  });

  it('requires brokers and topic', () => {
    const issues = configIssues(kafkaSink, {}).join('\n');
    expect(issues).toContain('brokers: missing required option');
    expect(issues).toContain('topic: missing required option');
  });

  it.each([
    [{ partition_strategy: 'manual' }, 'partition_field', 'partition_strategy: manual needs partition_field'],
    [{ partition_field: 'p' }, 'partition_field', 'partition_field is only read with partition_strategy: manual'],
    [{ idempotent: true, required_acks: 1 }, 'idempotent', 'idempotent needs required_acks: -1 (got 1)'],
    [{ tls: { cert_file: '/c.pem' } }, 'tls', 'tls.cert_file and tls.key_file go together'],
    [{ key_field: 'a..b' }, 'key_field', 'empty segment'],
    [{ headers: { trace: 'trace.__proto__' } }, 'headers.trace', '"__proto__" is not a field'],
  ])('check() refuses %o at %s', (override, path, message) => {
    const issues = kafkaSink.check?.(parseConfig(kafkaSink, { ...base, ...override })) ?? [];
    expect(issues).toEqual([{ path: path.split('.'), message: expect.stringContaining(message) }]);
  });

  it('has every compression codec registered (snappy, lz4 and zstd come from ./codecs)', () => {
    for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) expect(kafkaSink.check?.(parseConfig(kafkaSink, { ...base, compression }))).toEqual([]);
  });
});
