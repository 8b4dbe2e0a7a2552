import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprint, identityKey, matchSaved, parseIdentityKey, readHead } from '../../../../src/sources/file/identity';
import { tmpDir } from './tail-harness';

// Real files and real timers on a shared machine: generous bounds, the tests wait for conditions, not for time.
jest.setTimeout(60_000);

describe('file identity', () => {
  it('round-trips an identity through its checkpoint key', () => {
    const identity = { place: '2049:131', length: 1024, hash: fingerprint(Buffer.from('x')) };
    expect(parseIdentityKey(identityKey(identity))).toEqual(identity);
  });

  it('does not read other sources\' keys as identities', () => {
    expect(parseIdentityKey('default')).toBeUndefined();
    expect(parseIdentityKey('topic/3')).toBeUndefined();
  });

  it('fingerprints content, not names: equal heads hash equal, different heads differ', () => {
    expect(fingerprint(Buffer.from('line one\n'))).toBe(fingerprint(Buffer.from('line one\n')));
    expect(fingerprint(Buffer.from('line one\n'))).not.toBe(fingerprint(Buffer.from('line two\n')));
  });

  it('reads at most the asked head, and what there is of a shorter file', async () => {
    const file = join(tmpDir(), 'f');
    writeFileSync(file, 'abcdef');
    const fd = openSync(file, 'r');
    try {
      expect((await readHead(fd, 4)).toString()).toBe('abcd');
      expect((await readHead(fd, 100)).toString()).toBe('abcdef');
    } finally {
      closeSync(fd);
    }
  });

  it('recognises a file that grew since it was identified by a shorter head', () => {
    const saved = { place: '1:2', length: 6, hash: fingerprint(Buffer.from('short\n')) };
    expect(matchSaved(Buffer.from('short\nand grown since\n'), [saved])).toBe(saved);
  });

  it('tells a reused inode or rewritten file apart: same place, another head', () => {
    const saved = { place: '1:2', length: 6, hash: fingerprint(Buffer.from('short\n')) };
    expect(matchSaved(Buffer.from('other content\n'), [saved])).toBeUndefined();
    expect(matchSaved(Buffer.from('sho'), [saved])).toBeUndefined(); // now shorter than its fingerprint
  });
});
