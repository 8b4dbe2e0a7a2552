import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  checkCompressionLevel,
  COMPRESSION_NAMES,
  compressionCodecs,
  deflateCodec,
  gzipCodec,
  lz4Codec,
  noCompression,
  snappyCodec,
  zstdCodec,
  type CompressionCodec,
} from '../../../operators/compress';
import { maskedCrc32c } from '../../../operators/codecs/snappy';
import { nativeLibrary } from '../../../operators/codecs/native';

/** ~`bytes` of NDJSON log lines, compressible like real logs. */
function ndjson(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `${JSON.stringify({ timestamp: new Date(Date.UTC(2024, 4, 1) + i * 7).toISOString(), level: i % 9 === 0 ? 'error' : 'info', message: `GET /api/orders/${i % 97} ${i % 13 === 0 ? 500 : 200}`, trace_id: randomBytes(8).toString('hex') })}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(''));
}

/** Runs a command-line decompressor on `input`; a missing tool fails the test saying how to install it. */
function cli(tool: 'lz4' | 'zstd', input: Buffer): Buffer {
  try {
    return execFileSync(tool, ['-d', '-c'], { input, maxBuffer: 64 << 20 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`the ${tool} command is needed for this interoperability test: apt-get install ${tool}`);
    throw error;
  }
}

const CODECS: readonly CompressionCodec[] = [noCompression, gzipCodec, deflateCodec, snappyCodec, lz4Codec, zstdCodec];
const large = ndjson(3 << 20);
const random = randomBytes(300_000);

describe('compression codecs', () => {
  it('register one codec per compression name, in the reference order', () => {
    expect(compressionCodecs.names()).toEqual([...COMPRESSION_NAMES]);
    expect(CODECS.map((codec) => compressionCodecs.get(codec.name))).toEqual(CODECS);
  });

  it('name their files and HTTP encodings', () => {
    expect(CODECS.map((codec) => [codec.name, codec.extension, codec.contentEncoding])).toEqual([
      ['none', '', undefined],
      ['gzip', '.gz', 'gzip'],
      ['deflate', '.zz', 'deflate'],
      ['snappy', '.sz', 'x-snappy-framed'],
      ['lz4', '.lz4', 'x-lz4'],
      ['zstd', '.zst', 'zstd'],
    ]);
  });

  describe.each(CODECS.map((codec) => [codec.name, codec] as const))('%s', (_name, codec) => {
    it.each([
      ['empty input', Buffer.alloc(0)],
      ['one byte', Buffer.from('x')],
      ['3 MiB of NDJSON', large],
      ['300 kB of random bytes', random],
      ['exactly one 64 KiB snappy chunk, and one byte more', ndjson(1 << 20).subarray(0, 65_537)],
    ])('round-trips %s', async (_label, input) => {
      const compressed = await codec.compress(input);
      expect((await codec.decompress(compressed)).equals(input)).toBe(true);
    });

    it('shrinks log lines (none excepted) and does not balloon random bytes', async () => {
      const compressed = await codec.compress(large);
      if (codec !== noCompression) expect(compressed.length).toBeLessThan(large.length / 2);
      expect((await codec.compress(random)).length).toBeLessThan(random.length * 1.01 + 64);
    });

    const levels = codec.levels;
    if (levels) {
      it.each([levels.min, levels.default, levels.max])('round-trips at level %i, each level a valid stream', async (level) => {
        const input = large.subarray(0, 512 * 1024);
        const compressed = await codec.compress(input, level);
        expect((await codec.decompress(compressed)).equals(input)).toBe(true);
      });
    }

    it('reports a corrupt or truncated stream as an error, never as data', async () => {
      if (codec === noCompression) return expect(await codec.decompress(Buffer.from('as is'))).toEqual(Buffer.from('as is'));
      const compressed = await codec.compress(large.subarray(0, 200_000));
      await expect(codec.decompress(compressed.subarray(0, compressed.length - 5))).rejects.toThrow();
      await expect(codec.decompress(Buffer.from('definitely not compressed'))).rejects.toThrow();
    });
  });

  it.each([gzipCodec, snappyCodec, lz4Codec, zstdCodec].map((codec) => [codec.name, codec] as const))(
    '%s: two compressed requests appended are one stream that decompresses to both',
    async (_name, codec) => {
      const first = large.subarray(0, 100_000);
      const second = Buffer.from('{"message":"second"}\n');
      const appended = Buffer.concat([await codec.compress(first), await codec.compress(Buffer.alloc(0)), await codec.compress(second)]);
      expect((await codec.decompress(appended)).equals(Buffer.concat([first, second]))).toBe(true);
    },
  );

  it('zstd writes standard frames that the zstd command reads, appended frames included', async () => {
    const appended = Buffer.concat([await zstdCodec.compress(large, 1), await zstdCodec.compress(random, 19)]);
    expect(appended.readUInt32LE(0)).toBe(0xfd2fb528); // the Zstandard frame magic number
    expect(cli('zstd', appended).equals(Buffer.concat([large, random]))).toBe(true);
  });

  it('zstd compresses smaller at higher levels', async () => {
    const input = large.subarray(0, 1 << 20);
    const [fast, best] = await Promise.all([zstdCodec.compress(input, 1), zstdCodec.compress(input, 19)]);
    expect(best.length).toBeLessThan(fast.length);
  });

  it('zstd refuses a level outside 1..22 when called directly', async () => {
    expect(() => zstdCodec.compress(large, 23)).toThrow(RangeError);
    expect(() => zstdCodec.compress(large, 0)).toThrow(/from 1 to 22/);
  });

  it('lz4 writes frames (independent blocks, content checksum) that the lz4 command reads, appended frames included', async () => {
    const appended = Buffer.concat([await lz4Codec.compress(large), await lz4Codec.compress(random)]);
    expect(appended.readUInt32LE(0)).toBe(0x184d2204); // the LZ4 frame magic number
    expect(appended[4] & 0xe4).toBe(0x64); // FLG: version 01, independent blocks, content checksum
    expect(cli('lz4', appended).equals(Buffer.concat([large, random]))).toBe(true);
  });

  it('lz4 reads frames the lz4 command wrote (block checksums, content size) and skips skippable frames', async () => {
    const written = execFileSync('lz4', ['-q', '-c', '-BX', '--content-size', '-B4', '--no-frame-crc'], { input: large });
    const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    expect((await lz4Codec.decompress(Buffer.concat([skippable, written, skippable]))).equals(large)).toBe(true);
    await expect(lz4Codec.decompress(Buffer.concat([written, Buffer.from([1, 2])]))).rejects.toThrow(/truncated|magic/);
  });

  describe('snappy framing format', () => {
    it('starts with the stream identifier; empty input is the identifier alone', async () => {
      expect((await snappyCodec.compress(Buffer.alloc(0))).toString('hex')).toBe('ff060000734e61507059');
      expect(await snappyCodec.decompress(Buffer.alloc(0))).toEqual(Buffer.alloc(0));
    });

    it('masks the CRC-32C as the format says (check value of "123456789")', () => {
      // crc32c("123456789") = 0xE3069283; rotated right by 15 plus 0xa282ead8.
      const crc = 0xe3069283;
      expect(maskedCrc32c(Buffer.from('123456789'))).toBe(((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
    });

    it('splits input into chunks of at most 64 KiB, compressed (type 0) or stored when that is smaller (type 1)', async () => {
      const chunkTypes = (stream: Buffer): number[][] => {
        const found: number[][] = [];
        for (let at = 10; at < stream.length; at += 4 + stream.readUIntLE(at + 1, 3)) found.push([stream[at], stream.readUIntLE(at + 1, 3)]);
        return found;
      };
      const logs = chunkTypes(await snappyCodec.compress(large.subarray(0, 150_000)));
      expect(logs.map(([type]) => type)).toEqual([0, 0, 0]);
      const stored = chunkTypes(await snappyCodec.compress(random.subarray(0, 70_000)));
      expect(stored).toEqual([
        [1, 65_536 + 4],
        [1, 70_000 - 65_536 + 4],
      ]);
    });

    it('checks every chunk: a flipped bit, a raw block and a reserved chunk type are errors', async () => {
      const stream = await snappyCodec.compress(large.subarray(0, 100_000));
      const flipped = Buffer.from(stream);
      flipped[flipped.length - 3] ^= 0x01;
      await expect(snappyCodec.decompress(flipped)).rejects.toThrow(/snappy/);
      const crc = Buffer.from(stream);
      crc[14] ^= 0x01; // the first chunk's checksum
      await expect(snappyCodec.decompress(crc)).rejects.toThrow(/CRC-32C/);
      await expect(snappyCodec.decompress(Buffer.from([0x00, 0x01, 0x00, 0x00, 0x00]))).rejects.toThrow(/not the framing format/);
      const reserved = Buffer.concat([stream.subarray(0, 10), Buffer.from([0x02, 0x00, 0x00, 0x00])]);
      await expect(snappyCodec.decompress(reserved)).rejects.toThrow(/reserved unskippable chunk type 0x2/);
    });

    it('refuses a chunk that declares more than 64 KiB before decoding it', async () => {
      // Compressed chunk: length 4 + 4, CRC 0, then a raw block whose varint says 16 MiB.
      const bomb = Buffer.concat([Buffer.from('ff060000734e61507059', 'hex'), Buffer.from([0x00, 0x08, 0x00, 0x00, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x08])]);
      await expect(snappyCodec.decompress(bomb)).rejects.toThrow(/declares more than 65536 bytes/);
    });

    it('skips padding and reserved skippable chunks', async () => {
      const stream = await snappyCodec.compress(Buffer.from('kept\n'));
      const padded = Buffer.concat([stream.subarray(0, 10), Buffer.from([0xfe, 0x02, 0x00, 0x00, 0, 0]), Buffer.from([0x80, 0x01, 0x00, 0x00, 9]), stream.subarray(10)]);
      expect((await snappyCodec.decompress(padded)).toString()).toBe('kept\n');
    });
  });

  it('gzip still reads what zlib wrote elsewhere', async () => {
    expect((await gzipCodec.decompress(gzipSync(large))).equals(large)).toBe(true);
  });
});

describe('checkCompressionLevel', () => {
  it.each([
    [gzipCodec, 0, undefined],
    [gzipCodec, 9, undefined],
    [gzipCodec, 10, 'compression "gzip" takes a level from 0 to 9'],
    [deflateCodec, 11, 'compression "deflate" takes a level from 0 to 9'],
    [zstdCodec, 1, undefined],
    [zstdCodec, 22, undefined],
    [zstdCodec, 0, 'compression "zstd" takes a level from 1 to 22'],
    [zstdCodec, 23, 'compression "zstd" takes a level from 1 to 22'],
    [snappyCodec, 1, 'compression "snappy" has no level'],
    [lz4Codec, 9, 'compression "lz4" has no level'],
    [noCompression, 1, 'compression "none" has no level'],
    [snappyCodec, undefined, undefined],
    [zstdCodec, undefined, undefined],
  ] as const)('%# %s level %s', (codec, level, message) => {
    expect(checkCompressionLevel(codec, level)).toBe(message);
  });

  it('reports a codec whose native binary cannot load, naming the package', () => {
    const missing = nativeLibrary('not-shipped-here', () => {
      throw new Error("Cannot find module 'not-shipped-here-linux-x64-gnu'\nRequire stack: ...");
    });
    const codec: CompressionCodec = { ...zstdCodec, name: 'broken', unavailable: () => missing.failure() };
    expect(checkCompressionLevel(codec, undefined)).toBe(
      `compression "broken" cannot run on this machine: not-shipped-here has no native binary for ${process.platform}-${process.arch} here (Cannot find module 'not-shipped-here-linux-x64-gnu')`,
    );
    expect(() => missing.get()).toThrow(/not-shipped-here has no native binary/);
  });
});
