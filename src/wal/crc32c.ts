import { crc32cTable } from './crc32c-table';

/** A CRC-32C function: `crc` continues a previous result over the next piece. */
type Crc32c = (data: Uint8Array, crc?: number) => number;

/**
 * Below this many bytes the table code wins: a call into the native addon costs ~350 ns,
 * what the table code needs for ~200 bytes (record and cursor headers are 12).
 */
const NATIVE_MIN_BYTES = 256;

/**
 * `@node-rs/crc32` (SSE4.2 / ARMv8 CRC instructions, its binary shipped in a per-platform
 * optional package): ~3 GiB/s against the table code's ~1 GiB/s on WAL-sized records
 * (64 KiB-1 MiB), where the CRC was 11 % of the disk_buffer bench's CPU. A platform
 * without a prebuilt binary falls back to the table code: same values, slower.
 */
function loadNative(): Crc32c | undefined {
  try {
    // A plain require: an import would fail the whole WAL on a platform with no binary.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@node-rs/crc32') as { crc32c: Crc32c }).crc32c;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** True when the native implementation is in use (the bench reports it). */
export const CRC32C_NATIVE = native !== undefined;

/**
 * The CRC-32C (Castagnoli) of `data`, as an unsigned 32-bit number. Pass a previous result
 * as `crc` to continue over data given in pieces: `crc32c(b, crc32c(a))` equals
 * `crc32c(a ++ b)`. The check value of the ASCII string "123456789" is 0xE3069283.
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  return native !== undefined && data.length >= NATIVE_MIN_BYTES ? native(data, crc) : crc32cTable(data, crc);
}
