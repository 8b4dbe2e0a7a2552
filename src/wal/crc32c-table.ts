import { endianness } from 'node:os';

/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) in plain TypeScript, table-driven
 * with slicing-by-8: eight 256-entry tables (one flat array) let the inner loop consume
 * eight bytes per step, read as two aligned 32-bit words on little-endian machines. The
 * check value of the ASCII string "123456789" is 0xE3069283. `crc32c.ts` uses it for
 * short inputs and where the native library is missing.
 */
const POLY = 0x82f63b78;

const T = (() => {
  const table = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = table[n];
    for (let t = 1; t < 8; t++) {
      c = table[c & 0xff] ^ (c >>> 8);
      table[t * 256 + n] = c;
    }
  }
  return table;
})();

const LITTLE_ENDIAN = endianness() === 'LE';

/** Eight bytes given as two little-endian words `lo` (already xored with the crc) and `hi`. */
const step = (lo: number, hi: number): number =>
  T[1792 + (lo & 0xff)] ^
  T[1536 + ((lo >>> 8) & 0xff)] ^
  T[1280 + ((lo >>> 16) & 0xff)] ^
  T[1024 + (lo >>> 24)] ^
  T[768 + (hi & 0xff)] ^
  T[512 + ((hi >>> 8) & 0xff)] ^
  T[256 + ((hi >>> 16) & 0xff)] ^
  T[hi >>> 24];

/**
 * The CRC-32C of `data`, as an unsigned 32-bit number. Pass a previous result as `crc` to
 * continue over data given in pieces: `crc32cTable(b, crc32cTable(a))` equals `crc32cTable(a ++ b)`.
 */
export function crc32cTable(data: Uint8Array, crc = 0): number {
  let c = ~crc;
  let i = 0;
  const length = data.length;
  if (LITTLE_ENDIAN && length >= 64) {
    while ((data.byteOffset + i) % 4 !== 0) c = T[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
    const words = new Int32Array(data.buffer, data.byteOffset + i, (length - i) >>> 2);
    const pairs = words.length & ~1;
    for (let w = 0; w < pairs; w += 2) c = step(c ^ words[w], words[w + 1]);
    i += pairs * 4;
  } else {
    const end8 = length - (length % 8);
    for (; i < end8; i += 8) {
      const lo = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
      const hi = data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24);
      c = step(c ^ lo, hi);
    }
  }
  while (i < length) c = T[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
