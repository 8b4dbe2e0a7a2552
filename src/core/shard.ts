import { join } from 'node:path';

/**
 * Which of the `count` pipeline instances of one `sluice run` this process is (`workers: N`):
 * the one place sources learn how to split their input. `{ index: 0, count: 1 }` is a plain,
 * single-process run.
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The only instance: what every component sees without `workers`. */
export const SOLE_SHARD: Shard = { index: 0, count: 1 };

/**
 * This shard's part of `total` items numbered from 0: a contiguous range, the sizes differing
 * by at most one (the first `total % count` shards take one more). The parts cover `total`
 * exactly, so a bounded generator emits each sequence number once across the workers.
 */
export function shareOf(total: number, shard: Shard): { readonly first: number; readonly count: number } {
  const base = Math.floor(total / shard.count);
  const extra = total % shard.count;
  const count = base + (shard.index < extra ? 1 : 0);
  const first = shard.index * base + Math.min(shard.index, extra);
  return { first, count };
}

/**
 * The shard that owns `key` (FNV-1a over its UTF-16 code units, modulo `count`): stable
 * across processes and restarts, so every worker computes the same owner without talking to
 * the others.
 */
export function shardOfKey(key: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % count;
}

/** The shard a component context (or anything carrying one) belongs to; none given: the only one. */
export const shardOf = (holder: { readonly shard?: Shard }): Shard => holder.shard ?? SOLE_SHARD;

/**
 * The state directory of a shard: `data_dir` itself in a single-process run, else
 * `<data_dir>/worker-<index>`, so two workers never share a checkpoint, WAL or dead-letter
 * queue. Changing the worker count therefore re-shards file checkpoints (see README).
 */
export function shardDataDir(dataDir: string, shard: Shard): string {
  return shard.count > 1 ? join(dataDir, `worker-${shard.index}`) : dataDir;
}
