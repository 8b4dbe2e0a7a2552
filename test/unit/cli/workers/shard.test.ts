import { shardDataDir, shardOfKey, shareOf } from '../../../../src/core/shard';
import { ownsFile } from '../../../../src/sources/file/shard';
import { withWorkerIndex } from '../../../../src/sinks/worker-path';

describe('shareOf (generator count split)', () => {
  it.each([
    [10, 2],
    [10, 3],
    [2, 4],
    [1_000_001, 7],
  ])('splits %p events over %p workers into contiguous ranges differing by at most one', (total, count) => {
    const shares = Array.from({ length: count }, (_, index) => shareOf(total, { index, count }));
    expect(shares.reduce((sum, share) => sum + share.count, 0)).toBe(total);
    let next = 0;
    for (const share of shares) {
      expect(share.first).toBe(next);
      next += share.count;
    }
    const sizes = shares.map((share) => share.count);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('gives the only worker everything', () => {
    expect(shareOf(5, { index: 0, count: 1 })).toEqual({ first: 0, count: 5 });
  });
});

describe('file sharding by identity', () => {
  const places = Array.from({ length: 1000 }, (_, i) => `2049:${1_000_000 + i * 7}`);

  it('gives every file to exactly one worker', () => {
    for (const count of [2, 3, 5]) {
      for (const place of places) {
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) => ownsFile(place, { index, count }));
        expect(owners).toHaveLength(1);
      }
    }
  });

  it('spreads files over the workers', () => {
    const first = places.filter((place) => ownsFile(place, { index: 0, count: 2 })).length;
    expect(first).toBeGreaterThan(400);
    expect(first).toBeLessThan(600);
  });

  it('depends on the place only, so a renamed file keeps its owner', () => {
    expect(shardOfKey('2049:123', 4)).toBe(shardOfKey('2049:123', 4));
    expect(ownsFile('2049:123', { index: 0, count: 1 })).toBe(true);
  });
});

describe('per-worker state and paths', () => {
  it('gives each worker its own data_dir, and a single process data_dir itself', () => {
    expect(shardDataDir('data', { index: 0, count: 1 })).toBe('data');
    expect(shardDataDir('/var/lib/sluice/', { index: 1, count: 2 })).toBe('/var/lib/sluice/worker-1');
  });

  it('replaces %w in a file path template and leaves the time directives and %% alone', () => {
    expect(withWorkerIndex('out/%w/%Y-%m-%d.ndjson', 3)).toBe('out/3/%Y-%m-%d.ndjson');
    expect(withWorkerIndex('a%%w-%w%', 1)).toBe('a%%w-1%');
  });
});
