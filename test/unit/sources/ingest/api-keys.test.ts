import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeys, parseKeyFile } from '../../../../src/sources/ingest/api-keys';

const keyFile = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-keys-')), 'keys');
  writeFileSync(path, text);
  return path;
};

describe('ApiKeys', () => {
  it('is undefined (auth off) when no key is configured', () => {
    expect(ApiKeys.from({})).toBeUndefined();
    expect(ApiKeys.from({ keys: [] })).toBeUndefined();
  });

  it('accepts a known key as Bearer or x-api-key and returns its stable, non-secret id', () => {
    const keys = ApiKeys.from({ keys: ['s3cret-one', 's3cret-two'] })!;
    const id = keys.authenticate('Bearer s3cret-two', undefined);
    expect(id).toBe(ApiKeys.idOf('s3cret-two'));
    expect(id).toMatch(/^key-[0-9a-f]{12}$/);
    expect(id).not.toContain('s3cret');
    expect(keys.authenticate(undefined, 's3cret-one')).toBe(ApiKeys.idOf('s3cret-one'));
    expect(keys.authenticate('bearer   s3cret-one ', undefined)).toBe(ApiKeys.idOf('s3cret-one'));
    expect(ApiKeys.idOf('s3cret-one')).not.toBe(ApiKeys.idOf('s3cret-two'));
  });

  it('refuses unknown, empty, prefixed and malformed credentials', () => {
    const keys = ApiKeys.from({ keys: ['s3cret'] })!;
    expect(keys.authenticate(undefined, undefined)).toBeUndefined();
    expect(keys.authenticate('Bearer wrong', undefined)).toBeUndefined();
    expect(keys.authenticate('Bearer s3cre', undefined)).toBeUndefined();
    expect(keys.authenticate('Bearer s3cret-and-more', undefined)).toBeUndefined();
    expect(keys.authenticate('Basic s3cret', undefined)).toBeUndefined();
    expect(keys.authenticate('Bearer ', '')).toBeUndefined();
    expect(keys.authenticate('s3cret', undefined)).toBeUndefined();
  });

  it('prefers the Authorization header but falls back to x-api-key when it holds no bearer token', () => {
    const keys = ApiKeys.from({ keys: ['a', 'b'] })!;
    expect(keys.authenticate('Bearer a', 'b')).toBe(ApiKeys.idOf('a'));
    expect(keys.authenticate('Basic xyz', 'b')).toBe(ApiKeys.idOf('b'));
  });

  it('reads a key file: one key per line, # comments and blank lines ignored, merged with the list', () => {
    const path = keyFile('# service keys\nfile-key-1\n\n  file-key-2  \r\n#disabled-key\n');
    const keys = ApiKeys.from({ keys: ['inline'], file: path })!;
    expect(keys.size).toBe(3);
    expect(keys.authenticate('Bearer file-key-2', undefined)).toBe(ApiKeys.idOf('file-key-2'));
    expect(keys.authenticate('Bearer inline', undefined)).toBeDefined();
    expect(keys.authenticate('Bearer #disabled-key', undefined)).toBeUndefined();
    expect(parseKeyFile('a\n#b\n c ')).toEqual(['a', 'c']);
  });

  it('fails loudly on a missing or empty key file rather than running open', () => {
    expect(() => ApiKeys.from({ file: '/nonexistent/keys' })).toThrow(/ENOENT/);
    expect(() => ApiKeys.from({ file: keyFile('# nothing\n') })).toThrow(/holds no key/);
  });
});
