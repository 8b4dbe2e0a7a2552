import { s3Sink } from '../../../../src/sinks/s3';
import { configIssues as schemaIssues, parseConfig } from '../../../helpers/context';

/** What validation reports: the option types first, then the sink's own cross-option check. */
function configIssues(definition: typeof s3Sink, input: Record<string, unknown>): string[] {
  const issues = schemaIssues(definition, input);
  if (issues.length > 0) return issues;
  return (definition.check?.(parseConfig(definition, input)) ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('s3 sink options', () => {
  it('defaults to gzipped NDJSON under date=%F/, 10 MiB or 5 minute batches, 8 MiB multipart threshold', () => {
    const config = parseConfig(s3Sink, { bucket: 'logs' });
    expect(config).toMatchObject({
      key_prefix: 'date=%F/',
      encoding: 'ndjson',
      compression: 'gzip',
      force_path_style: false,
      multipart_threshold: 8 * 1024 * 1024,
      multipart_part_size: 8 * 1024 * 1024,
      batch: { max_bytes: 10 * 1024 * 1024, timeout: 300_000 },
    });
  });

  it('requires a bucket', () => {
    expect(configIssues(s3Sink, {}).join('\n')).toMatch(/^bucket: missing required option/m);
  });

  it('refuses a key_prefix with an unknown directive, an unclosed field or a leading slash, at key_prefix', () => {
    expect(configIssues(s3Sink, { bucket: 'b', key_prefix: 'x/%Q/' })).toEqual([expect.stringMatching(/^key_prefix: .*unsupported directive %Q/)]);
    expect(configIssues(s3Sink, { bucket: 'b', key_prefix: 's={{ service/' })).toEqual([expect.stringMatching(/^key_prefix: .*unclosed/)]);
    expect(configIssues(s3Sink, { bucket: 'b', key_prefix: '/abs/' })).toEqual([expect.stringMatching(/^key_prefix: must not start with/)]);
  });

  it('offers only ndjson and json_array encodings', () => {
    expect(configIssues(s3Sink, { bucket: 'b', encoding: 'text' })).toEqual([expect.stringMatching(/^encoding: expected one of ndjson, json_array/)]);
  });

  it('wants both halves of static credentials, and a session token only with them', () => {
    expect(configIssues(s3Sink, { bucket: 'b', access_key_id: 'k' })).toEqual(['secret_access_key: access_key_id and secret_access_key go together']);
    expect(configIssues(s3Sink, { bucket: 'b', secret_access_key: 's' })).toEqual(['access_key_id: access_key_id and secret_access_key go together']);
    expect(configIssues(s3Sink, { bucket: 'b', session_token: 't' })).toEqual(['session_token: needs access_key_id and secret_access_key']);
  });

  it('takes kms_key_id only with server_side_encryption: aws:kms', () => {
    expect(configIssues(s3Sink, { bucket: 'b', server_side_encryption: 'AES256', kms_key_id: 'k' })).toEqual(['kms_key_id: needs server_side_encryption: aws:kms']);
    expect(configIssues(s3Sink, { bucket: 'b', server_side_encryption: 'aws:kms', kms_key_id: 'k' })).toEqual([]);
  });

  it('accepts an http(s) endpoint or an empty one (AWS), and refuses anything else', () => {
    expect(configIssues(s3Sink, { bucket: 'b', endpoint: 'http://127.0.0.1:9000' })).toEqual([]);
    expect(configIssues(s3Sink, { bucket: 'b', endpoint: '' })).toEqual([]);
    expect(configIssues(s3Sink, { bucket: 'b', endpoint: 'minio:9000' })).toEqual([expect.stringMatching(/^endpoint: does not match/)]);
  });

  it('keeps multipart parts within S3 limits (5 MiB .. 5 GiB)', () => {
    expect(configIssues(s3Sink, { bucket: 'b', multipart_part_size: '1MiB' })).toEqual([expect.stringMatching(/^multipart_part_size: /)]);
    expect(configIssues(s3Sink, { bucket: 'b', multipart_threshold: '4MiB' })).toEqual([expect.stringMatching(/^multipart_threshold: /)]);
  });

  it('takes only storage classes, encryptions and canned ACLs that S3 knows', () => {
    expect(configIssues(s3Sink, { bucket: 'b', storage_class: 'COLD' })).toEqual([expect.stringMatching(/^storage_class: expected one of STANDARD/)]);
    expect(configIssues(s3Sink, { bucket: 'b', server_side_encryption: 'rot13' })).toEqual([expect.stringMatching(/^server_side_encryption: expected one of AES256, aws:kms/)]);
    expect(configIssues(s3Sink, { bucket: 'b', acl: 'everyone' })).toEqual([expect.stringMatching(/^acl: expected one of private/)]);
  });
});
