import { readFileSync } from 'node:fs';
import { compressionCodecs, type CompressionName } from '../../../operators/compress';
import { ndjsonHeadFixture } from '../fixtures';
import { scaled, timed, type Scenario } from '../scenario';

const MIB = 1024 * 1024;
/** ~64 MiB of the NDJSON fixture's ~200-byte lines. */
const LINES = 330_000;
/** Request bodies as a sink builds them (the file sink's default `batch.max_bytes` is 4 MiB, S3's larger). */
const BODY_BYTES = 1 * MIB;
/** The slowest levels take only this much of the input, so a run stays short. */
const SLOW_LEVEL_BYTES = 4 * MIB;

/** Every codec at its default level, plus the levels worth choosing between. */
const SWEEP: ReadonlyArray<{ readonly codec: CompressionName; readonly level?: number; readonly slow?: boolean }> = [
  { codec: 'gzip', level: 1 },
  { codec: 'gzip', level: 6 },
  { codec: 'gzip', level: 9, slow: true },
  { codec: 'deflate', level: 6 },
  { codec: 'snappy' },
  { codec: 'lz4' },
  { codec: 'zstd', level: 1 },
  { codec: 'zstd', level: 3 },
  { codec: 'zstd', level: 9 },
  { codec: 'zstd', level: 19, slow: true },
];
/** The codec and level of the table row; every sweep entry is under "further figures". */
const ROW = 'zstd_3';

let bodies: Buffer[] = [];
let lines = 0;

/** Cuts the input into bodies of about `BODY_BYTES`, at line ends. */
function cut(input: Buffer): Buffer[] {
  const cuts: Buffer[] = [];
  for (let start = 0; start < input.length; ) {
    const newline = input.indexOf(10, Math.min(start + BODY_BYTES, input.length) - 1);
    const end = newline < 0 ? input.length : newline + 1;
    cuts.push(input.subarray(start, end));
    start = end;
  }
  return cuts;
}

/** Compresses `input` one body at a time (a sink's request on one core), then checks it decompresses to the same bytes. */
async function measure(name: CompressionName, level: number | undefined, input: readonly Buffer[]) {
  const codec = compressionCodecs.get(name);
  await codec.compress(input[0], level); // load the library and warm its code paths
  const compressed: Buffer[] = [];
  const { durationMs, cpuMs } = await timed(async () => {
    for (const body of input) compressed.push(await codec.compress(body, level));
  });
  const started = performance.now();
  const restored = [];
  for (const body of compressed) restored.push(await codec.decompress(body));
  const decompressMs = performance.now() - started;
  if (!Buffer.concat(restored).equals(Buffer.concat(input))) throw new Error(`compress_codecs: ${name} ${level ?? ''} did not round-trip`);
  const inBytes = input.reduce((sum, body) => sum + body.length, 0);
  const outBytes = compressed.reduce((sum, body) => sum + body.length, 0);
  return { inBytes, durationMs, cpuMs, mibS: inBytes / MIB / (durationMs / 1000), ratio: inBytes / outBytes, decompressMibS: inBytes / MIB / (decompressMs / 1000) };
}

/**
 * Issue 11's codec choice, measured: every `compression:` codec (and the levels worth
 * choosing between) on ~64 MiB of realistic NDJSON log lines in 1 MiB request bodies, one
 * body at a time. The row is zstd at its default level; the further figures give each
 * codec's compression MiB/s (input bytes per wall second), ratio (input / output) and
 * decompression MiB/s. gzip 9 and zstd 19 take the first 4 MiB only.
 */
export const scenario: Scenario = {
  name: 'compress_codecs',
  description: 'every compression codec and level on ~64 MiB of NDJSON in 1 MiB bodies; row: zstd 3; extra: MiB/s in, ratio, decompress MiB/s per codec_level',
  bytesBasis: 'uncompressed body bytes',
  prepare: () => void ndjsonHeadFixture(scaled(LINES)),
  async setup() {
    const input = readFileSync(ndjsonHeadFixture(scaled(LINES)));
    lines = scaled(LINES);
    bodies = cut(input);
  },
  async run() {
    const extra: Record<string, number> = {};
    let row: Awaited<ReturnType<typeof measure>> | undefined;
    let slowBodies = 0;
    for (let bytes = 0; slowBodies < bodies.length && bytes < scaled(SLOW_LEVEL_BYTES); slowBodies++) bytes += bodies[slowBodies].length;
    for (const { codec, level, slow } of SWEEP) {
      const key = `${codec}${level === undefined ? '' : `_${level}`}`;
      const result = await measure(codec, level, slow ? bodies.slice(0, slowBodies) : bodies);
      extra[`${key}_mib_s`] = result.mibS;
      extra[`${key}_ratio`] = result.ratio;
      extra[`${key}_decompress_mib_s`] = result.decompressMibS;
      if (key === ROW) row = result;
    }
    if (!row) throw new Error(`compress_codecs: the sweep has no ${ROW}`);
    return { events: lines, bytes: row.inBytes, durationMs: row.durationMs, cpuMs: row.cpuMs, extra };
  },
};
