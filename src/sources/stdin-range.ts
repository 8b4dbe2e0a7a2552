import { fstatSync, readSync } from 'node:fs';
import type { Shard } from '../core/shard';

const NEWLINE = 0x0a;
const PROBE_BYTES = 64 * 1024;

/** The first line start at or after `position`: the byte after the first newline at or after `position - 1`. */
function lineStartFrom(fd: number, position: number, size: number): number {
  if (position <= 0) return 0;
  const probe = Buffer.allocUnsafe(PROBE_BYTES);
  for (let at = position - 1; at < size; at += PROBE_BYTES) {
    const read = readSync(fd, probe, 0, PROBE_BYTES, at);
    if (read === 0) break;
    const newline = probe.subarray(0, read).indexOf(NEWLINE);
    if (newline >= 0) return at + newline + 1;
  }
  return size;
}

/**
 * Sharing rule of the stdin source under `workers: N` when stdin is a regular file
 * (`sluice run < app.log`): every worker has the same file as its stdin and reads its own
 * range of whole lines, cut near `size * index / count` at the next line start, with
 * positional reads. The ranges cover the file once, so nothing goes through the primary. The
 * file is taken as it is at start (its size then, from its beginning).
 */
export function stdinFileRange(fd: number, shard: Shard): { readonly start: number; readonly end: number } {
  const { size } = fstatSync(fd);
  const cut = (index: number): number => lineStartFrom(fd, Math.floor((size * index) / shard.count), size);
  return { start: cut(shard.index), end: cut(shard.index + 1) };
}
