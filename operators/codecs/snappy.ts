import { crc32c } from '../../src/wal/crc32c';
import type { CompressionCodec } from './codec';
import { nativeLibrary } from './native';

interface SnappyLibrary {
  compress(input: Uint8Array): Promise<Buffer>;
  uncompress(input: Uint8Array, options: { asBuffer: true }): Promise<Buffer>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see nativeLibrary
const library = nativeLibrary('snappy', () => require('snappy') as SnappyLibrary);

/** The framing format's chunk types (google/snappy framing_format.txt §4). */
const COMPRESSED = 0x00;
const UNCOMPRESSED = 0x01;
const STREAM_IDENTIFIER = 0xff;
/** The stream identifier chunk: type 0xff, length 6, "sNaPpY". */
const STREAM_HEADER = Buffer.from([STREAM_IDENTIFIER, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);
/** Most uncompressed bytes one data chunk may carry. */
const MAX_CHUNK = 65_536;
const CHUNK_HEADER = 8;

/** The framing format's masked CRC-32C, so a checksum of data with embedded CRCs stays useful. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

function chunkHeader(type: number, length: number, checksum: number): Buffer {
  const header = Buffer.allocUnsafe(CHUNK_HEADER);
  header[0] = type;
  header.writeUIntLE(length, 1, 3);
  header.writeUInt32LE(checksum, 4);
  return header;
}

/** One ≤ 64 KiB piece as a data chunk: compressed on the thread pool, stored when that does not shrink it. */
async function dataChunk(snappy: SnappyLibrary, piece: Buffer): Promise<Buffer[]> {
  const compressed = await snappy.compress(piece);
  const stored = compressed.length >= piece.length;
  const body = stored ? piece : compressed;
  return [chunkHeader(stored ? UNCOMPRESSED : COMPRESSED, body.length + 4, maskedCrc32c(piece)), body];
}

async function compress(data: Buffer): Promise<Buffer> {
  const snappy = library.get();
  const pieces: Promise<Buffer[]>[] = [];
  for (let offset = 0; offset < data.length; offset += MAX_CHUNK) pieces.push(dataChunk(snappy, data.subarray(offset, offset + MAX_CHUNK)));
  return Buffer.concat([STREAM_HEADER, ...(await Promise.all(pieces)).flat()]);
}

/** The uncompressed length a raw snappy block declares (its leading varint), read before decoding it. */
function declaredLength(block: Buffer): number {
  let length = 0;
  for (let i = 0, shift = 0; i < block.length && i < 5; i++, shift += 7) {
    length += (block[i] & 0x7f) * 2 ** shift;
    if (block[i] < 0x80) return length;
  }
  return Number.POSITIVE_INFINITY; // unterminated: let the bound below refuse it
}

/** Verifies one data chunk's checksum against what it decodes to. */
function verified(data: Buffer, checksum: number, at: number): Buffer {
  if (data.length > MAX_CHUNK) throw new Error(`snappy: the chunk at byte ${at} decodes to ${data.length} bytes, more than ${MAX_CHUNK}`);
  if (maskedCrc32c(data) !== checksum) throw new Error(`snappy: the chunk at byte ${at} fails its CRC-32C check`);
  return data;
}

async function decompress(data: Buffer): Promise<Buffer> {
  const snappy = library.get();
  const pieces: Promise<Buffer>[] = [];
  for (let at = 0; at < data.length; ) {
    if (at + 4 > data.length) throw new Error(`snappy: truncated chunk header at byte ${at}`);
    const type = data[at];
    const length = data.readUIntLE(at + 1, 3);
    const end = at + 4 + length;
    if (end > data.length) throw new Error(`snappy: the chunk at byte ${at} needs ${length} bytes, the input ends first`);
    if (at === 0 && type !== STREAM_IDENTIFIER) throw new Error('snappy: not the framing format (no stream identifier chunk at the start)');
    const body = data.subarray(at + 4, end);
    if (type === COMPRESSED || type === UNCOMPRESSED) {
      if (length < 4) throw new Error(`snappy: the chunk at byte ${at} is too short for its checksum`);
      const checksum = body.readUInt32LE(0);
      const chunkAt = at;
      const block = body.subarray(4);
      // A chunk holds at most 64 KiB: refuse a larger declared length before allocating for it.
      if (type === COMPRESSED && declaredLength(block) > MAX_CHUNK) throw new Error(`snappy: the chunk at byte ${at} declares more than ${MAX_CHUNK} bytes`);
      pieces.push(type === COMPRESSED ? snappy.uncompress(block, { asBuffer: true }).then((piece) => verified(piece, checksum, chunkAt)) : Promise.resolve(verified(block, checksum, chunkAt)));
    } else if (type === STREAM_IDENTIFIER) {
      // Repeated between concatenated streams; it must still say "sNaPpY".
      if (!body.equals(STREAM_HEADER.subarray(4))) throw new Error(`snappy: bad stream identifier at byte ${at}`);
    } else if (type < 0x80) {
      throw new Error(`snappy: reserved unskippable chunk type 0x${type.toString(16)} at byte ${at}`);
    } // else PADDING (0xfe) or a reserved skippable type (0x80-0xfd): skipped.
    at = end;
  }
  return Buffer.concat(await Promise.all(pieces));
}

/**
 * Snappy in the framing format (google/snappy framing_format.txt, `.sz`,
 * `application/x-snappy-framed`), not a raw block. A raw block has no checksum, no length
 * bound per piece and cannot be appended to: two raw blocks in one file are unreadable.
 * Framed streams concatenate into one valid stream (the stream identifier may repeat), every
 * 64 KiB chunk carries a CRC-32C, and `snzip -d`, python-snappy (`-m snappy -d`), Go's
 * `snappy.NewReader`, Rust's `snap::read::FrameDecoder` and Java's `SnappyFramedInputStream`
 * read it. There is no registered HTTP encoding for snappy: the header names the format.
 * Each chunk is compressed on the thread pool by `snappy` (napi-rs); the level is fixed.
 * Kafka's snappy is a third format (xerial), built in the Kafka sink's codecs.
 */
export const snappyCodec: CompressionCodec = {
  name: 'snappy',
  contentEncoding: 'x-snappy-framed',
  extension: '.sz',
  compress: (data) => compress(data),
  decompress: (data) => decompress(data),
  unavailable: () => library.failure(),
};

/** Raw snappy blocks, for formats that frame them themselves (Kafka's xerial framing). */
export const snappyBlocks = {
  compress: (data: Uint8Array): Promise<Buffer> => library.get().compress(data),
  uncompress: (data: Uint8Array): Promise<Buffer> => library.get().uncompress(data, { asBuffer: true }),
};
