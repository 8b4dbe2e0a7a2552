import { shardOfKey, type Shard } from '../../core/shard';

/**
 * Sharing rule of the file source under `workers: N`: every worker scans the same globs and
 * tails only the files whose place (`dev:ino`) hashes to its index. The inode follows a file
 * across a rename, so a rotated file stays with the worker that was reading it (its
 * checkpoint lives in that worker's data_dir); the file created in its place has a new inode
 * and may land on another worker. No coordination is needed: each worker computes the same
 * owner. Changing N moves files to other workers, which have no checkpoint for them.
 */
export function ownsFile(place: string, shard: Shard): boolean {
  return shard.count <= 1 || shardOfKey(place, shard.count) === shard.index;
}
