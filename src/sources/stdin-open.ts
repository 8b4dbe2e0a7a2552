import { createReadStream, ReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { SOLE_SHARD, type Shard } from '../core/shard';
import { stdinFileRange } from './stdin-range';

/**
 * Read size when stdin is a regular file (`sluice run < app.log`): one batch per MiB, like
 * the bench's file source. Node gives such a stdin an fs stream reading 64 KiB at a time,
 * and sixteen times the batches cost the json pipeline a fifth of its throughput in
 * per-batch work (bench: cli_stdin_json_blackhole).
 */
const FILE_READ_BYTES = 1024 * 1024;

/**
 * The stream to read: when `process.stdin` is a file (Node made it an fs stream), a stream
 * of our own on fd 0 with 1 MiB reads; a pipe, socket or terminal keeps `process.stdin`.
 * A pipe holds 64 KiB, so larger reads gain nothing there, and an fs stream would park a
 * threadpool thread in a blocking read (`tail -F | sluice` may wait for hours).
 */
export function openStdin(shard: Shard = SOLE_SHARD): Readable {
  const stdin = process.stdin;
  // Node's own stream has not read anything yet: nothing is read until a stream flows.
  if (!(stdin instanceof ReadStream)) return stdin;
  if (shard.count <= 1) return createReadStream('', { fd: 0, autoClose: false, highWaterMark: FILE_READ_BYTES });
  // A worker of `workers: N` sharing the primary's file: its own range of lines (stdin-range.ts).
  const { start, end } = stdinFileRange(0, shard);
  if (end <= start) return Readable.from([]);
  return createReadStream('', { fd: 0, autoClose: false, highWaterMark: FILE_READ_BYTES, start, end: end - 1 });
}

/**
 * Whether stdin is a regular file: under `workers: N` the workers then read it in place,
 * each its own range; otherwise (a pipe, a terminal) the primary forwards it to them.
 */
export function stdinIsFile(): boolean {
  return process.stdin instanceof ReadStream;
}
