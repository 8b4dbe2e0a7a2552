import fc from 'fast-check';
import { crc32c, CRC32C_NATIVE } from '../../../src/wal/crc32c';
import { crc32cTable } from '../../../src/wal/crc32c-table';

/** Platforms `@node-rs/crc32` ships a prebuilt binary for (its optional dependencies). */
const SHIPPED = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];

describe('crc32c: native library and table code', () => {
  it('uses the native library where its binary ships (a silent fallback would cost a third of the speed)', () => {
    expect(CRC32C_NATIVE).toBe(SHIPPED.includes(`${process.platform}-${process.arch}`));
  });

  it('gives the same value from the table code as from crc32c at every length and alignment, either side of the native cut-over', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 0, max: 7 }), (bytes, shift) => {
        const shifted = Buffer.alloc(bytes.length + shift);
        shifted.set(bytes, shift);
        expect(crc32cTable(shifted.subarray(shift))).toBe(crc32c(bytes));
      }),
    );
  });

  it('continues across implementations: a short piece by the table, a long one natively', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ minLength: 256, maxLength: 3000 }), (a, b) => {
        const whole = crc32cTable(Buffer.concat([a, b]));
        expect(crc32c(b, crc32c(a))).toBe(whole);
        expect(crc32c(a, crc32c(b))).toBe(crc32cTable(Buffer.concat([b, a])));
      }),
    );
  });
});
