import type { CompressionCodec } from './codec';
import { nativeLibrary } from './native';

interface Lz4Library {
  compressFrame(data: Uint8Array, options?: { contentChecksum?: boolean; blockChecksums?: boolean }): Promise<Buffer>;
  decompressFrame(data: Uint8Array): Promise<Buffer>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see nativeLibrary
const library = nativeLibrary('lz4-napi', () => require('lz4-napi') as Lz4Library);

const FRAME_MAGIC = 0x184d2204;
/** Skippable frames: magic 0x184D2A50..0x184D2A5F, a 4-byte size, then that many bytes. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
// Frame descriptor FLG bits (lz4 frame format §"Frame Descriptor").
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const END_MARK = 0;
const UNCOMPRESSED_BIT = 0x80000000;

function need(data: Buffer, end: number, at: number): void {
  if (end > data.length) throw new Error(`lz4: the frame starting at byte ${at} is truncated`);
}

/**
 * Where the frame starting at `at` ends, and whether it is a skippable frame (metadata to
 * drop). Walks the header and block sizes only; the library decodes and checks the blocks.
 */
function frameEnd(data: Buffer, at: number): { readonly end: number; readonly skippable: boolean } {
  need(data, at + 4, at);
  const magic = data.readUInt32LE(at);
  if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE_MAGIC) {
    need(data, at + 8, at);
    const end = at + 8 + data.readUInt32LE(at + 4);
    need(data, end, at);
    return { end, skippable: true };
  }
  if (magic !== FRAME_MAGIC) throw new Error(`lz4: no frame magic number at byte ${at} (not the lz4 frame format)`);
  need(data, at + 7, at);
  const flags = data[at + 4];
  if (flags >> 6 !== 1) throw new Error(`lz4: unsupported frame version ${flags >> 6} at byte ${at}`);
  let cursor = at + 6 + (flags & FLG_CONTENT_SIZE ? 8 : 0) + (flags & FLG_DICT_ID ? 4 : 0) + 1; // FLG, BD, options, header checksum
  const blockChecksum = flags & FLG_BLOCK_CHECKSUM ? 4 : 0;
  for (;;) {
    need(data, cursor + 4, at);
    const size = data.readUInt32LE(cursor);
    cursor += 4;
    if (size === END_MARK) break;
    cursor += ((size & ~UNCOMPRESSED_BIT) >>> 0) + blockChecksum;
  }
  const end = cursor + (flags & FLG_CONTENT_CHECKSUM ? 4 : 0);
  need(data, end, at);
  return { end, skippable: false };
}

async function decompress(data: Buffer): Promise<Buffer> {
  const lz4 = library.get();
  // lz4-napi decodes one frame per call: split concatenated frames (`lz4 -d` reads them all).
  const frames: Promise<Buffer>[] = [];
  for (let at = 0; at < data.length; ) {
    const { end, skippable } = frameEnd(data, at);
    if (!skippable) frames.push(lz4.decompressFrame(data.subarray(at, end)));
    at = end;
  }
  return frames.length === 1 ? frames[0] : Buffer.concat(await Promise.all(frames));
}

/**
 * LZ4 in the frame format (lz4 frame format 1.6, `.lz4`, magic 0x184D2204) that the `lz4`
 * command reads, with independent blocks and a content checksum (xxHash32 of the whole
 * input), as `lz4` writes by default. Concatenated frames are one valid stream. lz4-napi
 * (napi-rs over lz4_flex) compresses on the thread pool; lz4_flex has only LZ4's fast
 * mode, so the codec has no level. HTTP has no registered encoding for LZ4: the header
 * names the format.
 */
export const lz4Codec: CompressionCodec = {
  name: 'lz4',
  contentEncoding: 'x-lz4',
  extension: '.lz4',
  compress: (data) => library.get().compressFrame(data, { contentChecksum: true }),
  decompress: (data) => decompress(data),
  unavailable: () => library.failure(),
};

/** LZ4 frames as Kafka writes them (Java's KafkaLZ4BlockOutputStream: independent blocks, no checksums beyond the header's). */
export const lz4Frames = {
  compress: (data: Uint8Array): Promise<Buffer> => library.get().compressFrame(data),
  decompress: (data: Buffer): Promise<Buffer> => decompress(data),
};
