import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import type { CompressionCodec } from '../../operators/codecs/codec';
import { lz4Codec, lz4Frames } from '../../operators/codecs/lz4';
import { snappyBlocks, snappyCodec } from '../../operators/codecs/snappy';
import { zstdCodec } from '../../operators/codecs/zstd';

/** What kafkajs calls: `compress` gets its record encoder, `decompress` a record batch's bytes. */
interface KafkajsCodec {
  compress(encoder: { readonly buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** snappy-java's stream header: magic "\x82SNAPPY\0", then version 1 and compatible version 1 (int32 BE). */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
/** snappy-java's default block size, what a Java producer writes. */
const XERIAL_BLOCK = 32 * 1024;

/**
 * Kafka's snappy is xerial framing (snappy-java's `SnappyOutputStream`, what the Java
 * producer writes): a 16-byte header, then blocks of ≤ 32 KiB, each an int32 BE length and
 * a raw snappy block. Every consumer reads it (Java, librdkafka, kafkajs-snappy, Sarama,
 * kafka-python); a raw block alone is read only by those that fall back to it.
 */
async function xerialCompress(data: Buffer): Promise<Buffer> {
  const blocks: Promise<Buffer>[] = [];
  for (let offset = 0; offset < data.length; offset += XERIAL_BLOCK) blocks.push(snappyBlocks.compress(data.subarray(offset, offset + XERIAL_BLOCK)));
  const parts: Buffer[] = [XERIAL_HEADER];
  for (const block of await Promise.all(blocks)) {
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/** Reads xerial framing, or a raw snappy block (what kafkajs-snappy and librdkafka also accept). */
async function xerialDecompress(data: Buffer): Promise<Buffer> {
  if (data.length < XERIAL_HEADER.length || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return snappyBlocks.uncompress(data);
  const blocks: Promise<Buffer>[] = [];
  for (let at = XERIAL_HEADER.length; at < data.length; ) {
    if (at + 4 > data.length) throw new Error(`kafka snappy: truncated block length at byte ${at}`);
    const end = at + 4 + data.readUInt32BE(at);
    if (end > data.length) throw new Error(`kafka snappy: the block at byte ${at} is truncated`);
    blocks.push(snappyBlocks.uncompress(data.subarray(at + 4, end)));
    at = end;
  }
  return Buffer.concat(await Promise.all(blocks));
}

/** Kafka's codecs on the same libraries as the sinks' `compression:` (operators/codecs). */
const KAFKA_CODECS: ReadonlyArray<readonly [CompressionTypes, KafkajsCodec, CompressionCodec]> = [
  [CompressionTypes.Snappy, { compress: (encoder) => xerialCompress(encoder.buffer), decompress: xerialDecompress }, snappyCodec],
  // The LZ4 frame format (Kafka ≥ 0.10 / message format v1+): independent blocks, as KafkaLZ4BlockOutputStream writes.
  [CompressionTypes.LZ4, { compress: (encoder) => lz4Frames.compress(encoder.buffer), decompress: (buffer) => lz4Frames.decompress(buffer) }, lz4Codec],
  // Standard Zstandard frames at zstd's default level 3 (the Java producer's default too).
  [CompressionTypes.ZSTD, { compress: (encoder) => zstdCodec.compress(encoder.buffer), decompress: (buffer) => zstdCodec.decompress(buffer) }, zstdCodec],
];

/**
 * Registers Snappy, LZ4 and ZSTD into kafkajs's process-wide `CompressionCodecs`, for every
 * producer and consumer in the process (kafkajs ships only GZIP). Idempotent: a second call
 * changes nothing. Call it before sending with `compression:` snappy, lz4 or zstd. A codec
 * whose native library cannot load here is registered as a factory that throws its reason.
 */
export function registerKafkaCodecs(): void {
  const registry = CompressionCodecs as unknown as Record<number, () => KafkajsCodec>;
  for (const [type, codec, library] of KAFKA_CODECS) {
    // Throws, as kafkajs's own placeholder does, where the library has no binary: the sink's
    // validation then reports the codec as unavailable instead of failing every send.
    registry[type] = () => {
      const failure = library.unavailable?.();
      if (failure !== undefined) throw new Error(`kafka ${library.name} compression is unavailable: ${failure}`);
      return codec;
    };
  }
}

/** Kafka's snappy framing on its own, for tests and tools that read Kafka's bytes. */
export const kafkaSnappy = { compress: xerialCompress, decompress: xerialDecompress };
