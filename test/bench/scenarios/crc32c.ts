import { randomBytes } from 'node:crypto';
import { crc32c, CRC32C_NATIVE } from '../../../src/wal/crc32c';
import { crc32cTable } from '../../../src/wal/crc32c-table';
import { scaled, timed, type Scenario } from '../scenario';

const MIB = 1024 * 1024;
/** A disk_buffer WAL record: 1000 json events serialised, ~270 KB. */
const RECORD_BYTES = 270_000;
const TOTAL_BYTES = 1024 * MIB;
/** Distinct records cycled through, so the data is not one cache-hot buffer. */
const POOL = 16;

let records: Buffer[] = [];
let count = 0;

/** MiB/s of `crc` over `count` records of the pool, and a checksum so the work is not dropped. */
function throughput(crc: (data: Uint8Array) => number): { readonly mibS: number; readonly check: number } {
  let check = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) check ^= crc(records[i % POOL]);
  const seconds = (performance.now() - started) / 1000;
  return { mibS: (count * RECORD_BYTES) / MIB / seconds, check };
}

/**
 * The WAL's checksum on WAL-sized records (issue 7: compare the hand-written slicing-by-8
 * table code with `@node-rs/crc32`): the row times `crc32c` as the WAL calls it; `extra`
 * gives both implementations' MiB/s, measured one after the other in this process.
 */
export const scenario: Scenario = {
  name: 'crc32c',
  description: `the WAL's crc32c over ${RECORD_BYTES.toLocaleString('en-US')}-byte records (1 GiB × scale); extra: table code vs @node-rs/crc32`,
  bytesBasis: 'checksummed bytes',
  async setup() {
    records = Array.from({ length: POOL }, () => randomBytes(RECORD_BYTES));
    count = Math.max(POOL, Math.round(scaled(TOTAL_BYTES) / RECORD_BYTES));
    // Warm both paths so the JIT has compiled the table loop before anything is timed.
    for (const record of records) if (crc32cTable(record) !== crc32c(record)) throw new Error('crc32c: the implementations disagree');
  },
  async run() {
    const { value: check, durationMs, cpuMs } = await timed(async () => throughput(crc32c).check);
    const table = throughput(crc32cTable);
    const exported = throughput(crc32c);
    if (table.check !== exported.check || table.check !== check) throw new Error('crc32c: the implementations disagree');
    return {
      events: count,
      bytes: count * RECORD_BYTES,
      durationMs,
      cpuMs,
      extra: { native: CRC32C_NATIVE ? 1 : 0, table_mib_s: table.mibS, crc32c_mib_s: exported.mibS },
    };
  },
};
